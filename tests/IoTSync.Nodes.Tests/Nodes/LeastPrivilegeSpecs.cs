using System.Text.Json;
using System.Text.RegularExpressions;
using IoTSync.Testing.Processes;
using IoTSync.Testing.Rig;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// Disable, rotate, owner-only state and sessions only inside a window, attacked through the real
/// nodes: each refusal is in the node's log and leaves both logs as they were.
/// </summary>
[Collection(TestBedCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class LeastPrivilegeSpecs
{
    [SkippableFact]
    public async Task Should_refuse_a_disabled_devices_heartbeats_sessions_and_commands_and_change_nothing()
    {
        await using var rig = await NodeRig.Create();
        var deployment = rig.Deployment;
        await deployment.StartAll();
        var before = await rig.AwaitConverged();

        var disabled = await deployment.MirrorJson("device", "disable", deployment.DeviceId);
        Assert.True(disabled.GetProperty("disabled").GetBoolean());
        Assert.Equal("disabled", (await deployment.MirrorJson("devices")).GetProperty("devices")[0].GetProperty("status").GetString());
        var mark = deployment.Mirror!.Output.Length;
        var refused = await deployment.MirrorCli(["exec", "--device", deployment.DeviceId, "--", "echo", "x"]);
        // Two of its windows come and go: each heartbeat (or its TLS association) refused, no session opened, the device left calling an unreachable mirror.
        await deployment.Mirror.WaitForOutput(DisabledRefusal(), NodeRig.Deadline, occurrence: 2);
        await deployment.Device!.WaitForOutput(Unreachable(), NodeRig.Deadline);

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("disabled", refused.Stderr);
        var after = deployment.Mirror.Output[mark..];
        Assert.DoesNotMatch(SessionOpening(), after);
        Assert.DoesNotMatch(HeartbeatAnswered(), after);
        Assert.Equal(before.GetRawText(), (await deployment.MirrorJson("state", "--device", deployment.DeviceId)).GetProperty("view").GetRawText());
        Assert.Equal(before.GetRawText(), (await deployment.DeviceJson("status")).GetProperty("view").GetRawText());

        var enabled = await deployment.MirrorJson("device", "enable", deployment.DeviceId);
        Assert.False(enabled.GetProperty("disabled").GetBoolean());
        var sequence = await rig.LeaveAtMirror(["echo", "back"]);
        Assert.Equal(0, (await rig.AwaitResult(sequence)).GetProperty("exitCode").GetInt32());
    }

    [SkippableFact]
    public async Task Should_honour_the_old_heartbeat_and_ssh_keys_during_the_overlap_refuse_them_after_and_take_the_new_ones()
    {
        await using var rig = await NodeRig.Create(new DeploymentOptions { RotationOverlap = TimeSpan.FromSeconds(8) });
        var deployment = rig.Deployment;
        await deployment.StartAll();
        await rig.AwaitConverged();
        var newKey = Path.Combine(rig.Directory, "rotated.key");

        var rotated = await deployment.MirrorJson("device", "rotate", deployment.DeviceId, "--key-out", newKey,
            "--from", deployment.MirrorHost, "--device-command", deployment.SyncEndpointCommand);
        var refusedFrom = DateTimeOffset.FromUnixTimeMilliseconds(rotated.GetProperty("previousRefusedFromUnixMs").GetInt64());
        var newLine = rotated.GetProperty("authorizedKeys").GetString()!;

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(newKey));
        Assert.NotEqual((await File.ReadAllTextAsync(deployment.DeviceHeartbeatKey)).Trim(), (await File.ReadAllTextAsync(newKey)).Trim());
        Assert.NotEqual((await File.ReadAllTextAsync(deployment.Sshd.AuthorizedKeysFile)).Trim(), newLine);
        // During the overlap the device, still on its old heartbeat key and the old authorized_keys
        // line, is answered, the mirror falls back to its old SSH key, and the command is delivered.
        var during = await rig.LeaveAtMirror(["echo", "during"]);
        var result = await rig.AwaitResult(during);
        Assert.True(DateTimeOffset.UtcNow < refusedFrom, $"the overlap passed before the command came back; too slow a machine? {rig.Logs()}");
        Assert.Equal(0, result.GetProperty("exitCode").GetInt32());
        Assert.Contains("the device refused the mirror's new SSH key", deployment.Mirror!.Output);

        // After it, the old heartbeat key is refused: heartbeats dropped, nothing delivered.
        await NodeRig.Poll("the overlap to end", () => Task.FromResult(DateTimeOffset.UtcNow > refusedFrom ? true : (bool?)null));
        var mark = deployment.Mirror.Output.Length;
        var after = await rig.LeaveAtMirror(["echo", "after"]);
        await deployment.Mirror.WaitForOutput(RetiredRefusal(), NodeRig.Deadline, occurrence: 2);
        Assert.DoesNotMatch(HeartbeatAnswered(), deployment.Mirror.Output[mark..]);
        Assert.Equal("pending", (await deployment.CommandResult(after)).GetProperty("status").GetString());

        // The device on its new heartbeat key is answered, but the old SSH key is no longer tried: no session until the new line is installed.
        await deployment.Device!.Stop(TimeSpan.FromSeconds(15));
        File.Copy(newKey, deployment.DeviceHeartbeatKey, overwrite: true);
        await deployment.StartDevice();
        await deployment.Mirror.WaitForOutput(SessionRefusedKey(), NodeRig.Deadline);
        Assert.Equal("pending", (await deployment.CommandResult(after)).GetProperty("status").GetString());
        await File.WriteAllTextAsync(deployment.Sshd.AuthorizedKeysFile, newLine + "\n");
        Assert.Equal(0, (await rig.AwaitResult(after)).GetProperty("exitCode").GetInt32());
    }

    [SkippableFact]
    public async Task Should_create_the_mirrors_state_directory_database_wal_and_keys_owner_only()
    {
        await using var rig = await NodeRig.Create();
        var deployment = rig.Deployment;
        await deployment.StartMirror();
        await deployment.Enroll();
        var directory = Path.GetDirectoryName(deployment.MirrorDatabase)!;

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        foreach (var file in new[] { deployment.MirrorDatabase, deployment.MirrorDatabase + "-wal", deployment.MirrorDatabase + "-shm",
                     Path.Combine(directory, "mirror_ssh_key"), Path.Combine(directory, "mirror_ssh_key.pub") })
            Assert.True(File.GetUnixFileMode(file) == (UnixFileMode.UserRead | UnixFileMode.UserWrite), $"{file} is {File.GetUnixFileMode(file)}");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(deployment.MirrorSocket)!));
    }

    [SkippableFact]
    public async Task Should_refuse_a_sync_session_through_the_relay_and_sync_endpoint_outside_a_window()
    {
        // A long period: the device stays dark from its start until the test is over.
        await using var rig = await NodeRig.Create(new DeploymentOptions { Period = TimeSpan.FromMinutes(10) });
        var deployment = rig.Deployment;
        await deployment.StartAll();
        Assert.Equal("dark", (await deployment.DeviceJson("status")).GetProperty("cycle").GetProperty("phase").GetString());
        var before = (await deployment.DeviceJson("status")).GetProperty("view").GetRawText();
        var (file, arguments) = deployment.Binaries.SyncEndpoint(deployment.DeviceSocket, deployment.Options.WindowLimit);

        // Input held open as an SSH channel would hold it: each ends because the node refused and closed, not because input ended.
        string[] heldOpen = ["/bin/bash", "-c", "exec \"$0\" \"$@\" < <(exec sleep 20 2>/dev/null)"];
        var relay = await ProcessRunner.Run([.. heldOpen, file, .. arguments], timeout: TimeSpan.FromSeconds(15));
        var endpoint = await ProcessRunner.Run([.. heldOpen, deployment.Binaries.Dotnet, deployment.Binaries.DeviceDll, "sync-endpoint", "--socket", deployment.DeviceSocket],
            timeout: TimeSpan.FromSeconds(15));

        Assert.Contains("no window is open", relay.Stdout);
        Assert.Contains("no window is open", endpoint.Stdout);
        await deployment.Device!.WaitForOutput(new Regex("sync session refused: no window is open"), NodeRig.Deadline, occurrence: 2);
        Assert.DoesNotContain("sync session opened", deployment.Device.Output);
        Assert.Equal(before, (await deployment.DeviceJson("status")).GetProperty("view").GetRawText());
    }

    // Refused by the heartbeat listener on an association opened before the disable, or (mutual TLS
    // answering admission from the same standing) at the handshake of a new one.
    [GeneratedRegex(@"heartbeat refused: the device is disabled|TLS peer .* refused: device \S+ is disabled")]
    private static partial Regex DisabledRefusal();

    [GeneratedRegex(@"heartbeat refused: signed with the key retired at \d+")]
    private static partial Regex RetiredRefusal();

    [GeneratedRegex(@"session \w+ failed after \d+ ms: SshAuthenticationFailedException")]
    private static partial Regex SessionRefusedKey();

    [GeneratedRegex(@"mirror unreachable after \d+ heartbeat")]
    private static partial Regex Unreachable();

    [GeneratedRegex(@"session \w+: opening")]
    private static partial Regex SessionOpening();

    [GeneratedRegex(@"heartbeat: device log")]
    private static partial Regex HeartbeatAnswered();
}
