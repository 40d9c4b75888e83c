using System.Collections.Concurrent;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Protocol;
using Xunit;
using static IoTSync.Device.HeartbeatSenderMessages;
using static IoTSync.Device.NetworkTogglerMessages;

namespace IoTSync.Tests.Device;

/// <summary>An interface that records what the toggler did and becomes usable on the second look.</summary>
internal sealed class RecordingInterface : INetworkInterface
{
    private int _looks;

    public ConcurrentQueue<string> Calls { get; } = new();

    public bool IsUp { get; private set; }

    public Task Up(CancellationToken cancellationToken)
    {
        Calls.Enqueue("up");
        IsUp = true;
        _looks = 0;
        return Task.CompletedTask;
    }

    public Task Down(CancellationToken cancellationToken)
    {
        Calls.Enqueue("down");
        IsUp = false;
        return Task.CompletedTask;
    }

    public Task<bool> IsUsable(CancellationToken cancellationToken) => Task.FromResult(IsUp && ++_looks >= 2);
}

public sealed class NetworkTogglerSpecs : TestKit
{
    private static readonly DeviceId Device = new("dev-nt");
    private readonly RecordingInterface _interface = new();

    // The heartbeat hears of every window's end too (WindowEnded); the specs below expect only its requests, one spec the ends.
    public NetworkTogglerSpecs() => IgnoreMessages<WindowEnded>();

    private IActorRef Toggler(TimeSpan? limit = null, IActorRef? heartbeat = null) => Sys.ActorOf(NetworkToggler.Props(Device, _interface, heartbeat ?? TestActor,
        new NetworkTogglerSettings(TimeSpan.FromMilliseconds(300), limit ?? TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(5))));

    [Fact]
    public void Should_tell_the_heartbeat_each_window_ended_once_its_interface_is_down()
    {
        var heartbeat = CreateTestProbe();
        var toggler = Toggler(heartbeat: heartbeat);

        heartbeat.ExpectMsg<SendHeartbeat>();
        toggler.Tell(Answer(HeartbeatAction.None), heartbeat);

        heartbeat.ExpectMsg<WindowEnded>();
        Assert.False(_interface.IsUp);
    }

    private static MirrorAnswered Answer(HeartbeatAction action) => new(new HeartbeatAck(Device, action, action == HeartbeatAction.Sync ? "s" : "",
        LogPosition.Empty(Device, Origin.Mirror), 0, action == HeartbeatAction.Refused ? "diverged" : "", "n", "m"), 1, 0, TimeSpan.FromMilliseconds(3));

    /// <summary>Asked through a probe of its own, so an answer never takes the place of a heartbeat request the test expects.</summary>
    private WindowClosed[] Windows(IActorRef toggler)
    {
        var probe = CreateTestProbe();
        toggler.Tell(GetWindows.Instance, probe);
        return probe.ExpectMsg<WindowClosed[]>();
    }

    [Fact]
    public void Should_take_the_interface_down_at_start_then_open_a_window_that_closes_when_nothing_is_to_sync()
    {
        var toggler = Toggler();

        ExpectMsg<SendHeartbeat>();
        Assert.Equal(["down", "up"], _interface.Calls.ToArray());
        Assert.True(_interface.IsUp);
        toggler.Tell(Answer(HeartbeatAction.None));

        AwaitAssert(() => Assert.Single(Windows(toggler)));
        var window = Windows(toggler)[0];
        Assert.Equal("nothing to sync", window.Outcome);
        Assert.True(window.UsableAfter <= window.Duration);
        // Down before the window counts as closed; the next cycle (300 ms) may already have it up again.
        Assert.Equal(["down", "up", "down"], _interface.Calls.Take(3).ToArray());
    }

    [Fact]
    public void Should_correct_the_devices_clock_by_the_offset_the_mirror_answered_with()
    {
        var device = new FakeWallClock(1_000_000);
        var clock = new MirrorCorrectedClock(device);
        var toggler = Sys.ActorOf(NetworkToggler.Props(Device, _interface, TestActor,
            new NetworkTogglerSettings(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(5)), clock));

        ExpectMsg<SendHeartbeat>();
        toggler.Tell(Answer(HeartbeatAction.None) with { ClockOffsetMs = -3_600_000 });

        AwaitAssert(() => Assert.Equal(1_000_000 - 3_600_000, clock.UtcNowMs));
        Assert.Equal(1_000_000, device.UtcNowMs);
    }

    [Fact]
    public void Should_tell_the_heartbeat_its_cycle_period_and_the_window_closed_last()
    {
        var toggler = Toggler();
        var first = ExpectMsg<SendHeartbeat>();
        toggler.Tell(Answer(HeartbeatAction.None));
        AwaitAssert(() => Assert.Single(Windows(toggler)));
        var closed = Windows(toggler)[0];

        var second = ExpectMsg<SendHeartbeat>();

        Assert.Equal(new SendHeartbeat(TimeSpan.FromMilliseconds(300), null), first);
        Assert.Equal(TimeSpan.FromMilliseconds(300), second.CyclePeriod);
        Assert.Equal(new WindowReport(1, (long)closed.Duration.TotalMilliseconds, (long)closed.UsableAfter.TotalMilliseconds, "nothing to sync"),
            second.PreviousWindow);
    }

    [Fact]
    public void Should_keep_the_window_open_for_the_session_and_close_it_when_the_session_ends()
    {
        var toggler = Toggler();
        ExpectMsg<SendHeartbeat>();

        toggler.Tell(Answer(HeartbeatAction.Sync));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.True(_interface.IsUp);
        toggler.Tell(SessionEnded.Instance);

        AwaitAssert(() => Assert.Equal("synced", Assert.Single(Windows(toggler)).Outcome));
        // Down before the window counts as closed; the next cycle (300 ms) may already have it up again.
        Assert.Equal(["down", "up", "down"], _interface.Calls.Take(3).ToArray());
    }

    [Fact]
    public void Should_close_the_window_at_once_when_the_mirror_gives_up_the_session()
    {
        var toggler = Toggler(limit: TimeSpan.FromSeconds(30));
        ExpectMsg<SendHeartbeat>();

        toggler.Tell(Answer(HeartbeatAction.Sync));
        toggler.Tell(new MirrorGaveUp("s", "host key mismatch"));

        AwaitAssert(() => Assert.Equal("mirror gave up the session: host key mismatch", Windows(toggler).First(w => w.Number == 1).Outcome));
        Assert.True(Windows(toggler).First(w => w.Number == 1).Duration < TimeSpan.FromSeconds(5));
        Assert.Equal(["down", "up", "down"], _interface.Calls.Take(3));
    }

    [Fact]
    public void Should_close_the_window_at_its_limit_when_the_session_never_ends()
    {
        var toggler = Toggler(limit: TimeSpan.FromMilliseconds(200));
        ExpectMsg<SendHeartbeat>();

        toggler.Tell(Answer(HeartbeatAction.Sync));

        // Under load the next window may open (and close unanswered) before this looks: window 1 is the one answered.
        AwaitAssert(() => Assert.Equal("window limit reached during the session", Windows(toggler).First(w => w.Number == 1).Outcome));
        Assert.Equal(["down", "up", "down"], _interface.Calls.Take(3));
    }

    [Fact]
    public void Should_close_the_window_when_the_mirror_is_unreachable_and_try_again_next_cycle()
    {
        var toggler = Toggler();
        ExpectMsg<SendHeartbeat>();

        toggler.Tell(new MirrorUnreachable(4, TimeSpan.FromSeconds(1)));
        AwaitAssert(() => Assert.Equal("mirror unreachable after 4 heartbeat(s)", Assert.Single(Windows(toggler)).Outcome));

        ExpectMsg<SendHeartbeat>();
        Assert.True(_interface.IsUp);
    }
}
