using IoTSync.Mirror;
using IoTSync.Protocol;
using Xunit;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.Tests.Mirror;

public sealed class WindowHistorySpecs
{
    private const long T0 = 1_700_000_000_000;
    private const long Cycle = 30_000;

    private static HeartbeatRecorded Heartbeat(long at, WindowReport? previous) => new(at, Cycle, previous);

    private static WindowReport Report(int number, string outcome = "synced") => new(number, 400 + number, 90, outcome);

    private static SessionRecorded Session(string id, long at) => new(id, at, at + 250, 250, 1, 2, null, "Converged", null);

    [Fact]
    public void Should_open_a_window_per_heartbeat_and_complete_it_with_the_devices_report_from_the_next()
    {
        var history = WindowHistory.Empty
            .Apply(Heartbeat(T0, null))
            .Apply(Session("s1", T0 + 10))
            .Apply(Heartbeat(T0 + Cycle, Report(1)))
            .Apply(Heartbeat(T0 + 2 * Cycle, Report(2, "nothing to sync")));

        Assert.Equal(3, history.WindowCount);
        Assert.Equal([1, 2, 3], history.Recent.Select(w => w.Number));
        Assert.Equal(new WindowRecord(1, T0, Report(1), Session("s1", T0 + 10)), history.Recent[0]);
        Assert.Equal(new WindowRecord(2, T0 + Cycle, Report(2, "nothing to sync"), null), history.Recent[1]);
        Assert.Equal(new WindowRecord(3, T0 + 2 * Cycle, null, null), history.Recent[2]);
        Assert.Equal(T0 + 2 * Cycle, history.LastHeartbeatAtUnixMs);
        Assert.Equal(Cycle, history.CyclePeriodMs);
        Assert.Equal(Report(2, "nothing to sync"), history.LastDeviceWindow);
        Assert.Equal("s1", history.LastSession!.SessionId);
    }

    [Fact]
    public void Should_take_a_second_heartbeat_of_the_same_window_for_a_retry_and_not_count_a_window()
    {
        var history = WindowHistory.Empty
            .Apply(Heartbeat(T0, Report(4)))
            .Apply(Heartbeat(T0 + 700, Report(4)));

        var window = Assert.Single(history.Recent, w => w.HeartbeatAtUnixMs is not null);
        Assert.Equal((5, T0), (window.Number, window.HeartbeatAtUnixMs));
        Assert.Equal(T0 + 700, history.LastHeartbeatAtUnixMs);
        Assert.Equal(2, history.WindowCount);
    }

    [Fact]
    public void Should_count_the_same_number_a_cycle_later_as_a_new_window_after_the_device_restarted()
    {
        var history = WindowHistory.Empty
            .Apply(Heartbeat(T0, null))
            .Apply(Heartbeat(T0 + Cycle, null));

        Assert.Equal(2, history.WindowCount);
        Assert.All(history.Recent, w => Assert.Equal(1, w.Number));
    }

    [Fact]
    public void Should_keep_a_reported_window_the_mirror_never_saw_and_leave_the_unreported_one_without_a_report()
    {
        var history = WindowHistory.Empty
            .Apply(Heartbeat(T0, Report(6)))
            .Apply(Heartbeat(T0 + 2 * Cycle, Report(8, "mirror unreachable after 5 heartbeat(s)")));

        Assert.Equal(
            new[]
            {
                new WindowRecord(6, null, Report(6), null),
                new WindowRecord(7, T0, null, null),
                new WindowRecord(8, null, Report(8, "mirror unreachable after 5 heartbeat(s)"), null),
                new WindowRecord(9, T0 + 2 * Cycle, null, null),
            },
            history.Recent.ToArray());
        Assert.Equal(4, history.WindowCount);
    }

    [Fact]
    public void Should_keep_a_session_with_no_window_to_belong_to_as_a_window_of_its_own()
    {
        var history = WindowHistory.Empty
            .Apply(Session("early", T0))
            .Apply(Heartbeat(T0 + 5, null))
            .Apply(Session("s1", T0 + 10))
            .Apply(Session("s2", T0 + 20));

        Assert.Equal(["early", "s1", "s2"], history.Recent.Select(w => w.Session!.SessionId));
        Assert.Equal([null, 1, null], history.Recent.Select(w => w.Number));
        Assert.Equal("s2", history.LastSession!.SessionId);
    }

    [Fact]
    public void Should_hold_only_the_newest_windows_while_counting_all_of_them()
    {
        var history = WindowHistory.Empty.Apply(Heartbeat(T0, null));
        for (var n = 1; n < WindowHistory.Capacity + 10; n++)
            history = history.Apply(Heartbeat(T0 + n * Cycle, Report(n)));

        Assert.Equal(WindowHistory.Capacity + 10, history.WindowCount);
        Assert.Equal(WindowHistory.Capacity, history.Recent.Length);
        Assert.Equal(11, history.Recent[0].Number);
        Assert.Equal([WindowHistory.Capacity + 9, WindowHistory.Capacity + 10], history.Last(2).Select(w => w.Number));
        Assert.Equal(WindowHistory.Capacity, history.Last(10_000).Length);
        Assert.Empty(history.Last(0));
    }
}
