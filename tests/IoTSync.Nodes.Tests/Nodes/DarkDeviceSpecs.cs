using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using IoTSync.Testing.Logs;
using IoTSync.Testing.Rig;
using IoTSync.Device;
using IoTSync.Sync;
using IoTSync.TestBed;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// A device that really goes dark: the real nodes on the network-namespace test bed, the mirror in
/// its namespace, the device's sshd and node in the device's, the toggler taking the device's
/// <c>eth0</c> up and down. Reachability is probed from the mirror's namespace, the link read with
/// <c>ip link</c> inside the device's.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed partial class DarkDeviceSpecs
{
    private static readonly TimeSpan Probe = TimeSpan.FromMilliseconds(300);

    [SkippableFact]
    public async Task Should_be_unreachable_while_dark_keep_commands_pending_and_deliver_them_in_the_next_window()
    {
        // A long dark period (5.5 s), so that one look at it (several command-line calls, each a
        // process start) fits inside it even on a loaded two-core machine.
        await using var rig = await NodeRig.CreateInBed(new DeploymentOptions { Period = TimeSpan.FromSeconds(8), WindowLimit = TimeSpan.FromMilliseconds(2500) });
        var (deployment, bed, device) = (rig.Deployment, rig.Bed!, rig.BedDevice);
        await deployment.StartAll();
        await NodeRig.Poll("the mirror seeing the device's first window close", async () => await MirrorSays(deployment) == "dark" ? true : (bool?)null);

        // Right after a window closed, look at the dark device from every side and leave two
        // commands; the look must fit in that one dark period: no heartbeat reached the mirror
        // meanwhile (every window starts with one) and the link is still down at the end.
        var closedSoFar = WindowsClosed(deployment);
        await NodeRig.Poll("the next window to close", () => Task.FromResult(WindowsClosed(deployment) > closedSoFar ? true : (bool?)null));
        var dark = WindowsClosed(deployment);
        var heartbeatsBefore = HeartbeatsSeen(deployment);
        var linkUp = await NetnsTestBed.IsLinkUp(device.Namespace, device.InterfaceName);
        var reachedTask = NetnsTestBed.CanConnect(bed.MirrorNamespace, device.Address, DeploymentNetwork.SshPort, Probe);
        var mirrorSaysTask = MirrorSays(deployment);
        var tracedTask = rig.LeaveAtMirror(rig.Traced("dark"));
        // Keeps the next window open long enough to probe it from outside.
        var slowTask = rig.LeaveAtMirror(["sleep", "0.8"]);
        var (reached, mirrorSays, traced, slow) = (await reachedTask, await mirrorSaysTask, await tracedTask, await slowTask);
        var pending = await Task.WhenAll(Status(deployment, traced), Status(deployment, slow));
        var stillDark = !await NetnsTestBed.IsLinkUp(device.Namespace, device.InterfaceName) && HeartbeatsSeen(deployment) == heartbeatsBefore;
        Assert.True(stillDark, $"the look at the dark device outlasted its dark period (after window {dark})\n{rig.Logs()}");

        Assert.False(linkUp, "eth0 is up while the device is dark");
        Assert.False(reached, "the mirror's namespace reached the device's sshd while the device was dark");
        Assert.Equal("dark", mirrorSays);
        Assert.Equal(new string?[] { "pending", "pending" }, pending);
        Assert.Equal(0, rig.Runs("dark"));

        // The next window: the same probe now succeeds, the commands run and their results come back.
        // Probed until it answers: a window on a loaded machine may close between seeing the link up and the probe.
        await Polling.Until(() => NetnsTestBed.CanConnect(bed.MirrorNamespace, device.Address, DeploymentNetwork.SshPort, TimeSpan.FromSeconds(1)),
            NodeRig.Deadline, "the mirror's namespace reaching the device's sshd in a window");
        Assert.Equal("executed", (await rig.AwaitResult(traced)).GetProperty("outcome").GetString());
        Assert.Equal("executed", (await rig.AwaitResult(slow)).GetProperty("outcome").GetString());
        Assert.Equal(1, rig.Runs("dark"));

        // Then the interface is down again: the window that delivered them closed "synced". On a loaded
        // machine the first window after the dark one may reach its limit mid-session (the commands run,
        // their results wait); then a later window delivers, and only such cut windows may come between.
        // The link is read between two status reads that both say "dark" in the same window, so the
        // reading belongs to this dark period and not to the next window.
        var (delivering, upAfter) = await NodeRig.Poll("the delivering window closing", async () =>
        {
            var before = (await deployment.DeviceJson("status")).GetProperty("cycle");
            if (before.GetProperty("phase").GetString() != "dark")
                return null;
            var since = before.GetProperty("recent").EnumerateArray()
                .Where(w => w.GetProperty("number").GetInt32() > dark).OrderBy(w => w.GetProperty("number").GetInt32()).ToList();
            var synced = since.FindIndex(w => w.GetProperty("outcome").GetString() == WindowTimer.Synced);
            if (synced < 0)
                return null;
            var up = await NetnsTestBed.IsLinkUp(device.Namespace, device.InterfaceName);
            var after = (await deployment.DeviceJson("status")).GetProperty("cycle");
            return after.GetProperty("phase").GetString() == "dark" && after.GetProperty("window").GetInt32() == before.GetProperty("window").GetInt32()
                ? (since.Take(synced + 1).ToList(), up)
                : ((List<JsonElement>, bool)?)null;
        });
        Assert.True(delivering[0].GetProperty("number").GetInt32() == dark + 1
                    && delivering.SkipLast(1).All(w => w.GetProperty("outcome").GetString() == WindowTimer.LimitDuringSession),
            $"windows after {dark}: {string.Join(", ", delivering)}\n{rig.Logs()}");
        Assert.False(upAfter, "eth0 stayed up after the delivering window");
        // Both commands went down to the device together, once: one store of mirror entries 1..2.
        await deployment.Mirror!.WaitForOutput(new Regex(@"session \w+ done in"), NodeRig.Deadline);
        Assert.Single(Regex.Matches(deployment.Device!.Output, @"stored mirror entries 1\.\.2\b"));
    }

    [SkippableFact]
    public async Task Should_end_the_window_with_the_interface_down_at_the_limit_when_the_mirror_hangs_mid_session()
    {
        var limit = TimeSpan.FromSeconds(1);
        // A dark period of 7 s after the limit, so the link is read before the next window can open.
        await using var rig = await NodeRig.CreateInBed(new DeploymentOptions { Period = TimeSpan.FromSeconds(8), WindowLimit = limit });
        var (deployment, device) = (rig.Deployment, rig.BedDevice);
        await deployment.StartMirror(new Dictionary<string, string> { [ExchangeHalt.EnvironmentVariable] = "hello" });
        await deployment.Enroll();
        await rig.LeaveAtMirror(rig.Traced("hung"));
        await deployment.StartDevice();

        // The mirror stops answering inside the session, right after hello. On a loaded machine an earlier
        // window may have reached its limit before the session got as far as hello: the window judged is
        // the first to close after the halt, by the two logs' times (one clock; the mirror's line may be
        // read after the device's, so counting lines at the time the halt is seen is not enough).
        var halted = await deployment.Mirror!.WaitForOutput(new Regex(NodeLogTime.Pattern + "TEST HOOK: halted after hello"), NodeRig.Deadline);
        var haltedAt = NodeLogTime.Of(halted);
        var limitReached = new Regex(NodeLogTime.Pattern + @"window (\d+) closed after ([0-9.]+) ms \(usable after [0-9.]+ ms\): window limit reached during the session");
        Match? found = null;
        await Polling.Until(() => Task.FromResult((found = limitReached.Matches(deployment.Device!.Output).FirstOrDefault(m => NodeLogTime.Of(m) >= haltedAt)) is not null),
            NodeRig.Deadline, "a window closed at its limit after the mirror halted");
        var closed = found ?? throw new InvalidOperationException("found by the poll above");

        Assert.False(await NetnsTestBed.IsLinkUp(device.Namespace, device.InterfaceName), $"eth0 stayed up after the window limit\n{rig.Logs()}");
        var duration = double.Parse(closed.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.InRange(duration, limit.TotalMilliseconds, limit.TotalMilliseconds + 1000);
        Assert.Equal(0, rig.Runs("hung"));
        var status = await deployment.DeviceJson("status");
        var window = int.Parse(closed.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Contains(status.GetProperty("cycle").GetProperty("recent").EnumerateArray(), w =>
            w.GetProperty("number").GetInt32() == window && w.GetProperty("outcome").GetString() == "window limit reached during the session");
    }

    [SkippableFact]
    public async Task Should_take_the_interface_down_first_when_the_device_node_starts_and_when_it_restarts_after_a_crash()
    {
        await using var rig = await NodeRig.CreateInBed(new DeploymentOptions { Period = TimeSpan.FromSeconds(2.5), WindowLimit = TimeSpan.FromSeconds(2) });
        var (deployment, device) = (rig.Deployment, rig.BedDevice);
        // The bed leaves every eth0 up: as a node that crashed mid-window would.
        Assert.True(await NetnsTestBed.IsLinkUp(device.Namespace, device.InterfaceName));
        await deployment.StartMirror();
        await deployment.Enroll();

        await deployment.StartDevice();
        await AssertRestingFirst(deployment.Device!, device);

        // Killed mid-window (its exchange halted after hello, the interface up): the link stays up ...
        await deployment.Device!.Stop(TimeSpan.FromSeconds(15));
        await rig.LeaveAtMirror(rig.Traced("crash"));
        await deployment.StartDevice(new Dictionary<string, string> { [ExchangeHalt.EnvironmentVariable] = "hello" });
        await deployment.Device!.WaitForOutput(new Regex("TEST HOOK: halted after hello"), NodeRig.Deadline);
        var upWhenKilled = await NetnsTestBed.IsLinkUp(device.Namespace, device.InterfaceName);
        deployment.Device.Kill();
        Assert.True(upWhenKilled, "the window was not open when the node was killed");
        Assert.True(await NetnsTestBed.IsLinkUp(device.Namespace, device.InterfaceName), "nothing should have taken eth0 down after the crash");

        // ... until the node restarts: down before anything else.
        await deployment.StartDevice();
        await AssertRestingFirst(deployment.Device!, device);
        Assert.Equal("executed", (await rig.AwaitResult(await rig.LeaveAtMirror(rig.Traced("after")))).GetProperty("outcome").GetString());
    }

    /// <summary>The node's first line says the interface went down, and it was down when the node said it was running.</summary>
    private static async Task AssertRestingFirst(NodeProcess node, TestBedDevice device)
    {
        await node.WaitForOutput(new Regex("iotsync-device: .* running"), NodeRig.Deadline);
        var downWhenRunning = !await NetnsTestBed.IsLinkUp(device.Namespace, device.InterfaceName);
        var first = node.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0];
        Assert.StartsWith("iotsync-device: interface down (resting state, network ip)", first, StringComparison.Ordinal);
        Assert.True(downWhenRunning, $"eth0 was up when the node reported running\n{node.Tail()}");
    }

    /// <summary>Windows the device node has logged closed so far.</summary>
    private static int WindowsClosed(Deployment deployment) => WindowClosedLine().Matches(deployment.Device!.Output).Count;

    /// <summary>Heartbeats the mirror node has logged so far.</summary>
    private static int HeartbeatsSeen(Deployment deployment) => HeartbeatLine().Matches(deployment.Mirror!.Output).Count;

    [GeneratedRegex(@"\] window \d+ closed after")]
    private static partial Regex WindowClosedLine();

    [GeneratedRegex(@"\] heartbeat: device log")]
    private static partial Regex HeartbeatLine();

    private static async Task<string?> MirrorSays(Deployment deployment) =>
        (await deployment.MirrorJson("devices")).GetProperty("devices")[0].GetProperty("status").GetString();

    private static async Task<string?> Status(Deployment deployment, long sequence) =>
        (await deployment.CommandResult(sequence)).GetProperty("status").GetString();
}
