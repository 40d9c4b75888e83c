using IoTSync.Mirror;
using IoTSync.Protocol;
using Xunit;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.Tests.Mirror;

/// <summary>What a device's window history keeps (issue 11, fault 8), without an actor system.</summary>
public sealed class WindowRetentionSpecs
{
    private const long T0 = 1_700_000_000_000;
    private const long Cycle = 60_000;

    private static WindowRecord Window(int number, long? at) => new(number, at, null, null);

    private static HeartbeatRecorded Heartbeat(int window) =>
        new(T0 + (window - 1) * Cycle, Cycle, window == 1 ? null : new WindowReport(window - 1, 300, 60, "synced"), $"s{window}");

    private static SessionRecorded Session(int window, string? error = null) =>
        new($"s{window}", T0 + (window - 1) * Cycle + 10, T0 + (window - 1) * Cycle + 200, 190, 0, 0, null, error is null ? "Converged" : SessionRecorded.Failed, error);

    [Fact]
    public void Should_drop_the_oldest_windows_beyond_the_count_kept()
    {
        var retention = new WindowRetention(3, TimeSpan.FromDays(1), 10);
        WindowRecord[] windows = [Window(1, T0), Window(2, T0 + Cycle), Window(3, T0 + 2 * Cycle), Window(4, T0 + 3 * Cycle), Window(5, T0 + 4 * Cycle)];

        Assert.Equal(2, retention.DropCount(windows, T0 + 4 * Cycle));
        Assert.Equal(0, retention.DropCount(windows[..3], T0 + 4 * Cycle));
    }

    [Fact]
    public void Should_drop_windows_older_than_the_duration_kept_with_those_of_unknown_time_before_them()
    {
        var retention = new WindowRetention(100, TimeSpan.FromMinutes(2), 10);
        // Window 2's heartbeat never got through: it is older than window 3, which has expired.
        WindowRecord[] windows = [Window(1, T0), Window(2, null), Window(3, T0 + 2 * Cycle), Window(4, null), Window(5, T0 + 4 * Cycle)];

        Assert.Equal(3, retention.DropCount(windows, T0 + 5 * Cycle));
        Assert.Equal(0, retention.DropCount(windows, T0 + 2 * Cycle));
    }

    [Fact]
    public void Should_call_for_a_snapshot_every_so_many_events()
    {
        var retention = WindowRetention.Default with { SnapshotEvery = 4 };

        Assert.Equal([4L, 8L], Enumerable.Range(0, 10).Select(i => (long)i).Where(retention.SnapshotDue));
    }

    [Fact]
    public void Should_keep_the_count_and_the_last_of_everything_while_trimming_the_windows()
    {
        var retention = new WindowRetention(4, TimeSpan.FromDays(30), 64);
        var history = WindowHistory.Empty;
        for (var window = 1; window <= 50; window++)
            history = history.Apply(Heartbeat(window), retention).Apply(Session(window, window >= 49 ? "SshTransportException: refused" : null), retention);

        Assert.Equal(50, history.WindowCount);
        Assert.Equal([47, 48, 49, 50], history.Recent.Select(w => w.Number));
        Assert.Equal(T0 + 49 * Cycle, history.LastHeartbeatAtUnixMs);
        Assert.Equal("s50", history.LastSession?.SessionId);
        Assert.NotNull(history.RepeatedSessionFailure);
    }

    [Fact]
    public void Should_trim_alike_when_replayed()
    {
        var retention = new WindowRetention(5, TimeSpan.FromMinutes(3), 64);
        object[] events = [.. Enumerable.Range(1, 20).SelectMany(w => new object[] { Heartbeat(w), Session(w) })];

        var first = events.Aggregate(WindowHistory.Empty, (h, e) => h.Apply(e, retention));
        var again = events.Aggregate(WindowHistory.Empty, (h, e) => h.Apply(e, retention));

        Assert.Equal(first.Recent.ToArray(), again.Recent.ToArray());
        Assert.Equal([18, 19, 20], first.Recent.Select(w => w.Number));
    }
}
