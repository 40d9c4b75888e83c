using System.Text.RegularExpressions;
using IoTSync.Mirror.Ssh;
using IoTSync.Testing.Rig;
using IoTSync.Tests.Nodes;
using Xunit;

namespace IoTSync.Tests.Reverse;

/// <summary>
/// Reverse mode through the real processes on loopback: the device dials the mirror host's sshd (a private
/// sshd with the shipped iotsync-mirror.conf and the authorized_keys line <c>enroll --mode reverse</c>
/// printed), sshd forces the relay for the device's id, and the mirror drives the exchange over it.
/// The device runs no sshd.
/// </summary>
[Collection(NodeProcessCollection.Name)]
public sealed class ReverseModeSpecs
{
    private static DeploymentOptions Reverse => new() { Reverse = true };

    [SkippableFact]
    public async Task Should_carry_commands_both_ways_over_the_session_the_device_opened()
    {
        await using var rig = await NodeRig.Create(Reverse);
        await rig.Deployment.StartAll();

        var sequence = await rig.LeaveAtMirror(rig.Traced("rev-m1"));
        var result = await rig.AwaitResult(sequence);
        var exec = await rig.Deployment.DeviceCli(["exec", "--", "echo", "from the device"]);
        var view = await rig.AwaitConverged(v => v.GetProperty("deviceLog").GetProperty("length").GetInt64() >= 3);

        Assert.Equal("executed", result.GetProperty("outcome").GetString());
        Assert.Equal(1, rig.Runs("rev-m1"));
        Assert.Equal("from the device\n", exec.Stdout);
        Assert.True(view.GetProperty("mirrorLog").GetProperty("length").GetInt64() >= 1);
        var device = rig.Deployment.Device!.Output;
        Assert.Contains("dialling the mirror host", device);
        Assert.Contains("sync session opened to the mirror host", device);
        Assert.Contains("opening reverse (the device dials in)", rig.Deployment.Mirror!.Output);
        // The key reached the relay forced for this device, and nothing else.
        var line = await File.ReadAllTextAsync(rig.Deployment.Sshd.AuthorizedKeysFile);
        Assert.StartsWith($"restrict,command=\"{rig.Deployment.MirrorRelayCommand} --socket {rig.Deployment.MirrorSessionSocket} --device {rig.Deployment.DeviceId}\" ecdsa-sha2-nistp256 ", line);
        var listed = await rig.Deployment.MirrorJson("devices");
        Assert.Contains("\"mode\":\"reverse\"", listed.GetRawText().Replace(" ", "", StringComparison.Ordinal));
        var regenerated = (await rig.Deployment.MirrorCli(["authorized-keys"])).EnsureSuccess("authorized-keys");
        Assert.Equal(line.Trim(), regenerated.Stdout.Trim());
    }

    [SkippableFact]
    public async Task Should_refuse_a_mirror_host_whose_key_is_not_the_pinned_one_and_sync_nothing()
    {
        await using var rig = await NodeRig.Create(Reverse);
        var deployment = rig.Deployment;
        await deployment.StartMirror();
        await deployment.Enroll();
        // The device pins another key than the mirror host's sshd presents (an impostor on the path).
        var wrong = HostKeyFingerprint.OfKey(new byte[] { 1, 2, 3 });
        await File.AppendAllTextAsync(deployment.DeviceConfig, $"\n# A wrong pin.\niotsync.device.reverse.host-key = \"{wrong.Value}\"\n");
        var sequence = await rig.LeaveAtMirror(rig.Traced("never"));
        await deployment.StartDevice();

        await deployment.Device!.WaitForOutput(new Regex(@"the mirror host's SSH key is not the pinned one .*HostKeyMismatchException"), NodeRig.Deadline);
        await deployment.Device.WaitForOutput(new Regex(@"closed after [0-9.]+ ms \(usable after [0-9.]+ ms\): reverse session failed: HostKeyMismatchException"), NodeRig.Deadline);

        var status = await deployment.DeviceJson("status");
        Assert.Contains("host-key-mismatch", status.GetProperty("refusals").GetRawText());
        Assert.Equal(0, status.GetProperty("view").GetProperty("mirrorLog").GetProperty("length").GetInt64());
        Assert.Equal(0, rig.Runs("never"));
        Assert.Equal("pending", (await deployment.CommandResult(sequence)).GetProperty("status").GetString());
        // Nothing authenticated at the mirror host: the key exchange ended before the device's key was offered.
        Assert.DoesNotContain("Accepted publickey", deployment.Sshd.Log);
    }

    [SkippableFact]
    public async Task Should_refuse_a_device_key_used_for_another_devices_id_and_write_to_neither_journal()
    {
        await using var rig = await NodeRig.Create(Reverse);
        var deployment = rig.Deployment;
        await deployment.StartMirror();
        await deployment.Enroll();
        // A second reverse device, dev-other, enrolled with a key of its own ...
        var otherKey = Path.Combine(rig.Directory, "other_ssh_key");
        var other = MirrorKeyPair.LoadOrCreate(otherKey, "iotsync-device");
        var otherHeartbeat = Path.Combine(rig.Directory, "other-heartbeat.key");
        await File.WriteAllTextAsync(otherHeartbeat, new string('5', 64));
        var otherLine = (await deployment.MirrorCli(["enroll", "--device", "dev-other", "--mode", "reverse", "--device-key-file", otherKey + ".pub",
            "--heartbeat-key-file", otherHeartbeat])).EnsureSuccess("enroll dev-other").Stdout.Trim();
        // ... and only its line at the mirror host: this device's node now logs in with dev-other's key.
        await File.WriteAllTextAsync(deployment.Sshd.AuthorizedKeysFile, otherLine + "\n");
        await File.AppendAllTextAsync(deployment.DeviceConfig, $"\n# Another device's key.\niotsync.device.reverse.key-file = \"{other.PrivateKeyPath}\"\n");
        var sequence = await rig.LeaveAtMirror(rig.Traced("stolen"));
        await deployment.StartDevice();

        // The relay announced dev-other (the id is the forced command's): no session for it was wanted, so it was refused.
        await deployment.Mirror!.WaitForOutput(new Regex(@"\[dev-other\] reverse session refused: no session was wanted"), NodeRig.Deadline);
        await deployment.Mirror.WaitForOutput(new Regex($@"\[{deployment.DeviceId}\] session \w+ failed after \d+ ms: SshTransportException: device {deployment.DeviceId} did not dial in"), NodeRig.Deadline);

        var refusals = (await deployment.MirrorJson("refusals")).GetRawText();
        Assert.Contains("reverse-arrival-refused", refusals);
        Assert.Equal(0, rig.Runs("stolen"));
        Assert.Equal("pending", (await deployment.CommandResult(sequence)).GetProperty("status").GetString());
        var mine = (await deployment.MirrorJson("state", "--device", deployment.DeviceId)).GetProperty("view");
        var theirs = (await deployment.MirrorJson("state", "--device", "dev-other")).GetProperty("view");
        Assert.Equal(0, mine.GetProperty("deviceLog").GetProperty("length").GetInt64());
        Assert.Equal(0, theirs.GetProperty("deviceLog").GetProperty("length").GetInt64());
        Assert.Equal(0, theirs.GetProperty("mirrorLog").GetProperty("length").GetInt64());
        Assert.Equal(0, (await deployment.DeviceJson("status")).GetProperty("view").GetProperty("mirrorLog").GetProperty("length").GetInt64());
    }
}
