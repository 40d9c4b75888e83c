using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Protocol;
using Xunit;

namespace IoTSync.Tests.Device;

/// <summary>The NetworkToggler's window measurements and closing rules, without an actor system.</summary>
public sealed class WindowTimerSpecs
{
    private static TimeSpan Ms(int ms) => TimeSpan.FromMilliseconds(ms);

    private static HeartbeatAck Ack(HeartbeatAction action, string reason = "") =>
        new(new DeviceId("dev-w"), action, "", LogPosition.Empty(new DeviceId("dev-w"), Origin.Mirror), 0, reason, "", "");

    [Fact]
    public void Should_record_a_window_from_up_to_down_with_each_step_in_it()
    {
        var window = WindowTimer.BeforeFirst.Next()
            .Usable(Ms(20)).Answered(Ms(35)).SessionStarted(Ms(300)).SessionEnded(Ms(900));

        var closed = window.Closed(WindowTimer.Synced, Ms(901), Ms(950));

        Assert.Equal(new IoTSync.Device.NetworkTogglerMessages.WindowClosed(1, Ms(950), Ms(20), "synced", Ms(35), Ms(300), Ms(900), Ms(901)), closed);
        Assert.Equal(new WindowReport(1, 950, 20, "synced"), closed.Report());
    }

    [Fact]
    public void Should_keep_the_first_answer_and_the_first_session_arrival()
    {
        var window = WindowTimer.BeforeFirst.Next().SessionStarted(Ms(100)).Answered(Ms(150)).SessionStarted(Ms(200)).Answered(Ms(250));

        Assert.Equal((Ms(150), Ms(100)), (window.AnsweredAfter!.Value, window.SessionStartedAfter!.Value));
    }

    [Fact]
    public void Should_start_each_window_with_nothing_measured_but_its_number()
    {
        var next = WindowTimer.BeforeFirst.Next().Usable(Ms(20)).Answered(Ms(30)).SessionStarted(Ms(40)).SessionEnded(Ms(50)).Next();

        Assert.Equal((2, (TimeSpan?)null, (TimeSpan?)null, (TimeSpan?)null), (next.Number, next.AnsweredAfter, next.SessionStartedAfter, next.SessionEndedAfter));
    }

    [Fact]
    public void Should_let_a_limit_close_only_the_window_it_was_set_for()
    {
        var second = WindowTimer.BeforeFirst.Next().Next();

        Assert.True(second.IsCurrent(2));
        Assert.False(second.IsCurrent(1));
    }

    [Fact]
    public void Should_keep_the_window_open_for_a_sync_and_close_it_otherwise()
    {
        Assert.Null(WindowTimer.OutcomeOf(Ack(HeartbeatAction.Sync)));
        Assert.Equal("nothing to sync", WindowTimer.OutcomeOf(Ack(HeartbeatAction.None)));
        Assert.Equal("mirror refused: clock skew", WindowTimer.OutcomeOf(Ack(HeartbeatAction.Refused, "clock skew")));
        Assert.Equal("mirror unreachable after 3 heartbeat(s)", WindowTimer.Unreachable(3));
    }
}
