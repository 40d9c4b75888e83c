using System.Diagnostics;
using System.Text.RegularExpressions;
using IoTSync.Device;
using IoTSync.Mirror;
using IoTSync.Testing.Processes;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// A journal entry edited on disk with its stored hash left as it was (issue 11, fault 4). At the
/// mirror, the device whose journal it is comes back <c>corrupt</c> with the entry named, every
/// request for it is refused at once with the reason, and the other device keeps syncing. At the
/// device, the node stops at start with one line naming the entry and a non-zero exit.
/// </summary>
[Collection(NodeProcessLaneB.Name)]
public sealed class TamperedJournalSpecs
{
    private const string Ghost = "ghost-device";

    [SkippableFact]
    public async Task Should_mark_a_tampered_device_corrupt_at_the_mirror_serve_the_others_and_stop_a_tampered_device_node()
    {
        await using var rig = await NodeRig.Create();
        var deployment = rig.Deployment;
        await deployment.StartAll();
        // A second enrolled device, with no node of its own: only its journal at the mirror matters here.
        (await deployment.MirrorCli(["enroll", "--device", Ghost, "--ssh", "127.0.0.1:9", "--ssh-user", Environment.UserName,
            "--host-key", deployment.Sshd.HostKey.Value, "--heartbeat-key-file", deployment.DeviceHeartbeatKey])).EnsureSuccess("enroll the second device");
        (await deployment.MirrorCli(["exec", "--device", Ghost, "--", "echo", "ghostly"])).EnsureSuccess("a command for the second device");
        var first = await rig.LeaveAtMirror(rig.Traced("before"));
        Assert.Equal("executed", (await rig.AwaitResult(first)).GetProperty("outcome").GetString());

        await deployment.Mirror!.Stop(TimeSpan.FromSeconds(15));
        var ghostEvent = ChangePayload(deployment.MirrorDatabase, StateJournal.PersistenceIdPrefix + Ghost, "ghostly", "ghostlY");
        await deployment.StartMirror();

        var ghost = await NodeRig.Poll("the second device shown corrupt", async () =>
            (await deployment.MirrorJson("devices")).GetProperty("devices").EnumerateArray().First(d => d.GetProperty("device").GetString() == Ghost) is var d
            && d.GetProperty("status").GetString() == "corrupt" ? d : (System.Text.Json.JsonElement?)null);
        var named = $"mirror log entry 1 (journal event {ghostEvent})";
        Assert.Contains(named, ghost.GetProperty("problem").GetString());
        var clock = Stopwatch.StartNew();
        var refused = await deployment.MirrorCli(["exec", "--device", Ghost, "--", "echo", "again"]);
        Assert.True(refused.ExitCode != 0, refused.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"refused after {clock.Elapsed}");
        Assert.Contains("corrupt", refused.Stderr);
        Assert.Contains(named, refused.Stderr);
        Assert.Matches(new Regex($@"\[ERROR\].*\[{Ghost}\].*{Regex.Escape(named)}"), deployment.Mirror!.Output);

        var second = await rig.LeaveAtMirror(rig.Traced("after"));
        Assert.Equal("executed", (await rig.AwaitResult(second)).GetProperty("outcome").GetString());
        Assert.Equal(1, rig.Runs("after"));

        await deployment.Device!.Stop(TimeSpan.FromSeconds(15));
        var deviceEvent = ChangePayload(deployment.DeviceDatabase, CommandRecorder.PersistenceIdPrefix + deployment.DeviceId, "echo after", "echo aftEr");
        var run = await NodeCliRunner.Run(deployment.Binaries.DeviceDll, ["run", "--config", deployment.DeviceConfig],
            timeout: TimeSpan.FromSeconds(60), dotnet: deployment.Binaries.Dotnet);

        Assert.True(run.ExitCode != 0, $"the device node did not stop: {run}");
        var lines = run.Stderr.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1, $"more than one line:\n{run.Stderr}");
        Assert.Contains($"mirror log entry {second} (journal event {deviceEvent})", lines[0]);
        Assert.False((run.Stdout + run.Stderr).Contains("   at ", StringComparison.Ordinal), $"a stack trace:\n{run}");
        Assert.Equal(1, rig.Runs("after"));
    }

    /// <summary>Replaces <paramref name="from"/> with <paramref name="to"/> (same length) in the one event holding it; its journal sequence number.</summary>
    private static long ChangePayload(string database, string persistenceId, string from, string to)
    {
        Assert.Equal(from.Length, to.Length);
        var found = Sqlite3.Run(database,
            $"SELECT sequence_number FROM journal WHERE persistence_id = '{persistenceId}' AND instr(CAST(message AS TEXT), '{from}') > 0;");
        var lines = found.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"'{from}' is in {lines.Length} events of {persistenceId}");
        var sequenceNr = long.Parse(lines[0]);
        Sqlite3.Run(database,
            $"UPDATE journal SET message = CAST(replace(CAST(message AS TEXT), '{from}', '{to}') AS BLOB) " +
            $"WHERE persistence_id = '{persistenceId}' AND sequence_number = {sequenceNr};");
        return sequenceNr;
    }
}
