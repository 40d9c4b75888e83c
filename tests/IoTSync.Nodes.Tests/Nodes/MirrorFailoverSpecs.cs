using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// A device that lists two mirrors, the first of them dead (nothing listens at its address), through the
/// real processes: its heartbeat sender moves to the second within the window, syncs there, and says which
/// mirror answered, in its log and in <c>status</c>.
/// </summary>
[Collection(NodeProcessLaneB.Name)]
public sealed class MirrorFailoverSpecs
{
    // Room for the dead mirror's turn (half of give-up-after), a first TLS association to the live one, and a
    // session whose command starts a managed runner: on a loaded machine that session alone took 2.4 s.
    private static readonly TimeSpan WindowLimit = TimeSpan.FromSeconds(5);

    [SkippableFact]
    public async Task Should_sync_a_command_each_way_through_the_second_mirror_when_the_first_listed_is_dead()
    {
        // The dead mirror's turn is half of give-up-after: the live one has the rest, and the session the rest of the window.
        await using var rig = await NodeRig.Create(new DeploymentOptions
        {
            Period = TimeSpan.FromSeconds(6), WindowLimit = WindowLimit, HeartbeatGiveUpAfter = TimeSpan.FromSeconds(2),
        });
        var deployment = rig.Deployment;
        var (dead, live) = ($"127.0.0.1:{PrivateSshd.FreePort()}", $"127.0.0.1:{deployment.MirrorPort}");
        await File.AppendAllTextAsync(deployment.DeviceConfig, $"""

            # A fleet of two mirror nodes, the first listed dead.
            iotsync.device.mirror.address = ""
            iotsync.device.mirror.addresses = ["{dead}", "{live}"]

            """);
        await deployment.StartMirror();
        await deployment.Enroll();
        var sequence = await rig.LeaveAtMirror(rig.Traced("failover"));
        await deployment.StartDevice();
        (await deployment.DeviceCli(["exec", "--", "echo", "from the device"])).EnsureSuccess("exec on the device");

        Assert.Equal("executed", (await rig.AwaitResult(sequence)).GetProperty("outcome").GetString());
        var view = await rig.AwaitConverged(v => v.GetProperty("deviceLog").GetProperty("length").GetInt64() >= 3);

        Assert.Equal(1, view.GetProperty("mirrorLog").GetProperty("length").GetInt64());
        Assert.Equal(1, rig.Runs("failover"));
        var device = deployment.Device!;
        Assert.Matches(new Regex($@"mirror {Regex.Escape(dead)} did not answer \d+ heartbeat\(s\) within its turn; calling {Regex.Escape(live)}"), device.Output);
        Assert.Matches(new Regex($@"mirror answered: .*, by {Regex.Escape(live)}"), device.Output);
        var status = await deployment.DeviceJson("status");
        Assert.Equal(live, status.GetProperty("lastMirror").GetString());
        Assert.Matches(new Regex($@"mirror +\| {Regex.Escape(live)} answered last, at \d{{4}}-"), (await deployment.DeviceCli(["status"])).EnsureSuccess("status").Stdout);
        // The windows that synced closed within their limit.
        var synced = status.GetProperty("cycle").GetProperty("recent").EnumerateArray().Where(w => w.GetProperty("outcome").GetString() == "synced").ToList();
        Assert.True(synced.Count >= 1, rig.Logs());
        Assert.All(synced, w => Assert.True(w.GetProperty("durationMs").GetDouble() < WindowLimit.TotalMilliseconds, w.GetRawText()));
    }
}
