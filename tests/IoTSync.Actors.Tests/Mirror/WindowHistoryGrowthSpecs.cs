using Akka.Actor;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Protocol;
using Microsoft.Data.Sqlite;
using Xunit;
using Xunit.Abstractions;
using static IoTSync.Logs.LogHolderMessages;
using static IoTSync.Mirror.StateJournalEvents;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Mirror;

/// <summary>
/// Fault 8 of issue 11: window history must not grow the mirror's journal for ever. A device's
/// windows (a heartbeat and a session each, as a device with something to sync every window
/// records them) are recorded through its StateJournal with the node's default settings; the
/// window rows in the journal stay bounded, and the spec prints what a window costs.
/// </summary>
public sealed class WindowHistoryGrowthSpecs(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly DeviceId Device = new("dev-growth");
    private const long CycleMs = 60_000;
    private readonly SqliteTestDatabase _db = new("mirror");

    [Fact]
    public async Task Should_keep_the_window_rows_of_a_device_bounded_however_many_windows_pass()
    {
        const long t0 = 1_790_000_000_000;
        var system = _db.Start();
        var journal = system.ActorOf(StateJournal.Props(Device, StateJournalSettings.Default with { Journal = _db.LogHolder() }, new FakeWallClock(t0)), "journal");
        var view = await journal.Ask<SyncView>(GetView.Instance, Timeout);
        // Both past the 256 windows kept by default: what the journal holds no longer grows with the windows.
        const int first = 300, second = 600;

        var (_, bytesEmpty) = Measure();
        await RecordWindows(journal, 1, first, t0, view);
        var (rowsFirst, bytesFirst) = Measure();
        await RecordWindows(journal, first + 1, second, t0, view);
        // Events are deleted after their snapshot is saved, both asynchronous: a loaded machine may lag a snapshot or two behind.
        await Polling.Until(() => Task.FromResult(Measure().Rows <= 2 * 64), Timeout, "window rows back within two snapshot intervals");
        var (rowsSecond, bytesSecond) = Measure();
        var windows = await journal.Ask<WindowList>(new GetWindows(Device, 5), Timeout);

        var perWindow = (double)(bytesSecond - bytesFirst) / (second - first);
        output.WriteLine($"before any window: {bytesEmpty} bytes used in the database");
        output.WriteLine($"after {first} windows: {rowsFirst} window rows, {bytesFirst} bytes used in the database");
        output.WriteLine($"after {second} windows: {rowsSecond} window rows, {bytesSecond} bytes used in the database");
        output.WriteLine($"growth: {perWindow:0} bytes per window = {perWindow * (86_400_000 / CycleMs) / 1024:0.0} KiB per device per day at a {CycleMs / 1000} s cycle; " +
            $"window history holds {(bytesSecond - bytesEmpty) / 1024} KiB above the empty database after {second} windows");
        Assert.Equal(second, windows.TotalWindows);
        Assert.Equal(second, windows.Windows[^1].Number);
        Assert.True(rowsSecond <= 2 * 64, $"{rowsSecond} window rows after {second} windows ({rowsFirst} after {first}): the journal keeps every window");
    }

    private static async Task RecordWindows(IActorRef journal, int from, int to, long t0, SyncView view)
    {
        for (var window = from; window <= to; window++)
        {
            var at = t0 + (window - 1) * CycleMs;
            await journal.Ask<Acknowledged>(new RecordHeartbeat(Device, new HeartbeatRecorded(at, CycleMs,
                window == 1 ? null : new WindowReport(window - 1, 350, 60, "synced"), $"session-{window}")), Timeout);
            await journal.Ask<Acknowledged>(new RecordSession(Device, new SessionRecorded($"session-{window}", at + 20, at + 180, 160, 1, 1,
                view.StateDigest, "Converged", null, view)), Timeout);
        }
    }

    /// <summary>Window events in the journal (whatever actor holds them), and the bytes the file's pages in use take.</summary>
    private (long Rows, long Bytes) Measure()
    {
        var rows = _db.ReadNumber("SELECT COUNT(*) FROM journal WHERE manifest IN ('heartbeat-recorded', 'session-recorded')");
        using var connection = new SqliteConnection($"Data Source={_db.Path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count()), (SELECT page_size FROM pragma_page_size())";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (rows, reader.GetInt64(0) * reader.GetInt64(1));
    }

    public void Dispose() => _db.Dispose();
}
