using Akka.Actor;
using Akka.Persistence;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Protocol;
using Xunit;
using static IoTSync.Mirror.StateJournalEvents;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Mirror;

/// <summary>
/// A mirror journal written before window history had its own journal: heartbeats and sessions
/// among the StateJournal's events. They still recover, and the device's history goes on from them
/// in its window history journal, the same after every restart.
/// </summary>
public sealed class WindowHistoryMigrationSpecs : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly DeviceId Device = new("dev-old");
    private const long T0 = 1_790_000_000_000;
    private const long Cycle = 30_000;
    private readonly SqliteTestDatabase _db = new("mirror");

    /// <summary>Writes events under the StateJournal's persistence id, as an older mirror did.</summary>
    private sealed class OlderMirror : ReceivePersistentActor
    {
        public OlderMirror(object[] events)
        {
            Command<string>(_ => PersistAll(events, _ => { }));
        }

        public override string PersistenceId => StateJournal.PersistenceIdPrefix + Device.Value;
    }

    private static HeartbeatRecorded Heartbeat(int window) =>
        new(T0 + (window - 1) * Cycle, Cycle, window == 1 ? null : new WindowReport(window - 1, 300, 60, "synced"));

    [Fact]
    public async Task Should_go_on_from_the_window_events_an_older_mirror_wrote_among_the_log_entries()
    {
        var first = _db.Start(name: "older");
        var events = new object[] { Heartbeat(1), Heartbeat(2), Heartbeat(3) };
        var older = first.ActorOf(Props.Create(() => new OlderMirror(events)), "older");
        older.Tell("write");
        await Polling.Until(() => Task.FromResult(OlderHeartbeats() == 3));
        await SqliteTestDatabase.Stop(first);

        var settings = StateJournalSettings.Default with { Journal = _db.LogHolder(), Windows = WindowRetention.Default with { SnapshotEvery = 10 } };
        var second = _db.Start(name: "upgraded");
        var journal = second.ActorOf(StateJournal.Props(Device, settings, new FakeWallClock(T0)), "journal");
        var recovered = await journal.Ask<WindowList>(new GetWindows(Device, 10), Timeout);
        await journal.Ask<Acknowledged>(new RecordHeartbeat(Device, Heartbeat(4)), Timeout);
        var before = await journal.Ask<WindowList>(new GetWindows(Device, 10), Timeout);
        await SqliteTestDatabase.Stop(second);

        var third = _db.Start(name: "restarted");
        var again = third.ActorOf(StateJournal.Props(Device, settings, new FakeWallClock(T0)), "journal");
        var after = await again.Ask<WindowList>(new GetWindows(Device, 10), Timeout);
        await again.Ask<Acknowledged>(new RecordHeartbeat(Device, Heartbeat(5)), Timeout);
        var state = await again.Ask<StateJournalState>(new GetJournalState(Device), Timeout);

        Assert.Equal([1, 2, 3], recovered.Windows.Select(w => w.Number));
        Assert.Equal([1, 2, 3, 4], before.Windows.Select(w => w.Number));
        Assert.Equal(before.Windows.ToArray(), after.Windows.ToArray());
        Assert.Equal(5, state.History.WindowCount);
        Assert.Equal(T0 + 4 * Cycle, state.History.LastHeartbeatAtUnixMs);
        // The older events stay where they were; the new ones went to the window history journal (no snapshot yet: recovered from the seed).
        Assert.Equal(3, _db.ReadNumber("SELECT COUNT(*) FROM journal WHERE persistence_id = $id", StateJournal.PersistenceIdPrefix + Device.Value));
        Assert.Equal(2, _db.ReadNumber("SELECT COUNT(*) FROM journal WHERE persistence_id = $id AND manifest = 'heartbeat-recorded'",
            WindowHistoryJournal.PersistenceIdPrefix + Device.Value));
    }

    /// <summary>The heartbeats written so far; none while the file or its tables are still being made.</summary>
    private long OlderHeartbeats()
    {
        try
        {
            return File.Exists(_db.Path) ? _db.ReadNumber("SELECT COUNT(*) FROM journal WHERE manifest = 'heartbeat-recorded'") : 0;
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return 0;
        }
    }

    public void Dispose() => _db.Dispose();
}
