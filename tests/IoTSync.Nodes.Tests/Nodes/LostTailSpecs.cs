using System.Text.RegularExpressions;
using IoTSync.Device;
using IoTSync.Testing.Processes;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// A device whose journal lost its last writes (issue 11, fault 3): a mirror command it ran and
/// reported is, after the loss, open again in its log with no record of its start. The device must
/// not run it again at start-up; the next exchange's hello shows the device behind what the mirror
/// holds of its log, the mirror marks it diverged with the reason, and nothing runs.
/// </summary>
[Collection(NodeProcessLaneB.Name)]
public sealed class LostTailSpecs
{
    [SkippableFact]
    public async Task Should_not_run_again_a_delivered_command_whose_start_was_lost_and_be_diverged_at_the_mirror()
    {
        await using var rig = await NodeRig.Create();
        var deployment = rig.Deployment;
        await deployment.StartAll();
        var sequence = await rig.LeaveAtMirror(rig.Traced("once"));
        Assert.Equal("executed", (await rig.AwaitResult(sequence)).GetProperty("outcome").GetString());
        Assert.Equal(1, rig.Runs("once"));

        // The device loses everything it wrote after storing the command: its start, its result, later snapshots.
        await deployment.Device!.Stop(TimeSpan.FromSeconds(15));
        var persistenceId = CommandRecorder.PersistenceIdPrefix + deployment.DeviceId;
        var stored = long.Parse(Sqlite3.Run(deployment.DeviceDatabase,
            $"SELECT min(sequence_number) FROM journal WHERE persistence_id = '{persistenceId}' AND instr(CAST(message AS TEXT), 'echo once') > 0;"));
        Sqlite3.Run(deployment.DeviceDatabase,
            $"DELETE FROM journal WHERE persistence_id = '{persistenceId}' AND sequence_number > {stored}; " +
            $"DELETE FROM snapshot WHERE persistence_id = '{persistenceId}' AND sequence_number > {stored};");

        await deployment.StartDevice();
        await deployment.Device!.WaitForOutput(new Regex(@"1 mirror command\(s\) open since before the restart wait for the mirror"), NodeRig.Deadline);
        var diverged = await NodeRig.Poll("the mirror marking the device diverged", async () =>
            (await deployment.MirrorJson("devices")).GetProperty("devices")[0] is var device && device.GetProperty("status").GetString() == "diverged" ? device : (System.Text.Json.JsonElement?)null);
        // Two more windows: still nothing ran.
        var windows = WindowsClosed(deployment);
        await NodeRig.Poll("two more windows", () => Task.FromResult(WindowsClosed(deployment) >= windows + 2 ? true : (bool?)null));

        Assert.Equal(1, rig.Runs("once"));
        var reason = (await deployment.MirrorJson("state", "--device", deployment.DeviceId)).GetProperty("divergence").GetString();
        Assert.True(reason?.Contains("device log", StringComparison.OrdinalIgnoreCase) == true && reason.Contains("LogShrank", StringComparison.Ordinal), $"divergence: {reason}; {diverged}");
        Assert.DoesNotMatch(new Regex(@"running m\d+"), deployment.Device.Output);
    }

    private static int WindowsClosed(IoTSync.Testing.Rig.Deployment deployment) => Regex.Matches(deployment.Device!.Output, @"\] window \d+ closed after").Count;
}
