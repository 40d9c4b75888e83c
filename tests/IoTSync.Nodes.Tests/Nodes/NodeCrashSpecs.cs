using System.Text.RegularExpressions;
using IoTSync.Sync;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// A node killed with SIGKILL in the middle of a sync, at a known point after each step of the
/// exchange (the <see cref="ExchangeHalt"/> hook stops it there), then restarted: the next window
/// converges, nothing is lost and nothing runs twice.
/// </summary>
[Collection(NodeProcessLaneB.Name)]
public sealed class NodeCrashSpecs
{
    public static TheoryData<string, string> Points()
    {
        var points = new TheoryData<string, string>();
        foreach (var node in new[] { "device", "mirror" })
            foreach (var step in new[] { "hello", "push", "pull", "done" })
                points.Add(node, step);
        return points;
    }

    [SkippableTheory]
    [MemberData(nameof(Points))]
    public async Task Should_converge_after_a_node_is_killed_mid_sync(string node, string step)
    {
        // Windows long enough that the first session reaches its halting step on a loaded machine: one
        // cut at the window's limit before the step converges without ever halting (after done, say).
        await using var rig = await NodeRig.Create(new DeploymentOptions { Period = TimeSpan.FromSeconds(5), WindowLimit = TimeSpan.FromSeconds(4) });
        var deployment = rig.Deployment;
        // Both sides have something for the other, so the first session has every step: the
        // mirror leaves a command and goes down, the device writes while it is unreachable.
        var halt = new Dictionary<string, string> { [ExchangeHalt.EnvironmentVariable] = step };
        await deployment.StartMirror();
        await deployment.Enroll();
        var command = await rig.LeaveAtMirror(rig.Traced("crash"));
        await deployment.Mirror!.Stop(TimeSpan.FromSeconds(15));
        await deployment.StartDevice(node == "device" ? halt : null);
        (await deployment.DeviceCli(["exec", "--", "set", "written", "offline"])).EnsureSuccess("set on the device");
        await deployment.StartMirror(node == "mirror" ? halt : null);
        var victim = node == "mirror" ? deployment.Mirror! : deployment.Device!;
        await victim.WaitForOutput(new Regex($"TEST HOOK: halted after {step}"), NodeRig.Deadline);
        // The session started and has not finished: the mirror reported no session done, and the
        // device's side is still open (except after done, which the device has already answered).
        Assert.Empty(rig.MirrorSessions());
        if (node == "device" || step != "done")
            Assert.DoesNotContain("sync session closed", deployment.Device!.Output, StringComparison.Ordinal);
        victim.Kill();

        if (node == "mirror")
            await deployment.StartMirror();
        else
            await deployment.StartDevice();
        var result = await rig.AwaitResult(command);
        var view = await rig.AwaitConverged(v => v.GetProperty("deviceLog").GetProperty("length").GetInt64() >= 2);

        var results = await rig.ResultsFor(command);
        Assert.Single(results);
        var outcome = result.GetProperty("outcome").GetString();
        // Run once when it ran; a command a crash interrupted is recorded failed and never run again.
        Assert.Equal(outcome == "executed" ? 1 : 0, rig.Runs("crash"));
        Assert.Equal(1, view.GetProperty("mirrorLog").GetProperty("length").GetInt64());
        var state = await deployment.MirrorJson("state", "--device", deployment.DeviceId);
        Assert.True(state.GetProperty("properties").TryGetProperty("written", out _));
        Assert.True((await deployment.DeviceCli(["journal", "verify"])).ExitCode == 0, rig.Logs());
        Assert.True((await deployment.MirrorCli(["journal", "verify"])).ExitCode == 0, rig.Logs());
    }
}
