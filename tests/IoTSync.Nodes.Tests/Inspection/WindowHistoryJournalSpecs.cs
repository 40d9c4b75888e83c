using Akka.Actor;
using System.Text.Json;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Protocol;
using Xunit;
using static IoTSync.Logs.LogHolderMessages;
using static IoTSync.Mirror.StateJournalEvents;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Inspection;

/// <summary>
/// The journal commands on a mirror journal that holds window history: heartbeats and sessions in
/// the device's window history journal (window-history-ID, apart from the logs), a snapshot of it
/// with the events before it deleted, and more after it; the state journal beside it with its own.
/// </summary>
public sealed class WindowHistoryJournalSpecs : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly DeviceId Device = new("dev-win");
    private readonly SqliteTestDatabase _db = new("mirror");

    [Fact]
    public async Task Should_verify_list_and_count_a_journal_holding_window_history()
    {
        const long t0 = 1_790_000_000_000;
        var system = _db.Start(snapshotEvery: 4, name: "mirror");
        var journal = system.ActorOf(StateJournal.Props(Device, StateJournalSettings.Default with
        {
            Journal = _db.LogHolder(4),
            Windows = WindowRetention.Default with { SnapshotEvery = 4 },
        }, new FakeWallClock(t0)), "journal");
        var deviceLog = LogPosition.Empty(Device, Origin.Device);
        for (var window = 1; window <= 3; window++)
        {
            var at = t0 + (window - 1) * 30_000L;
            await journal.Ask<Acknowledged>(new RecordHeartbeat(Device, new HeartbeatRecorded(at, 30_000,
                window == 1 ? null : new WindowReport(window - 1, 300 + window, 60, "synced"))), Timeout);
            await journal.Ask<Submitted>(new SubmitCommand(Device, ["set", "round", $"{window}"], "app", null), Timeout);
            var entry = LogEntry.NewCommand(deviceLog, Origin.Device, new HlcTimestamp(at + 5, 0), "device", ["set", "seen", $"{window}"]);
            deviceLog = deviceLog.After(entry);
            Assert.Equal(Verdict.Appendable, (await journal.Ask<AppendAnswer>(new AppendDeviceEntries(Device, [entry]), Timeout)).Verdict);
            var view = await journal.Ask<SyncView>(GetView.Instance, Timeout);
            await journal.Ask<Acknowledged>(new RecordSession(Device, new SessionRecorded($"s{window}", at + 10, at + 200, 190, 1, 1, view.StateDigest, "Converged", null)), Timeout);
        }
        // One more after the last snapshot, which the replay must reach past.
        await journal.Ask<Acknowledged>(new RecordHeartbeat(Device, new HeartbeatRecorded(t0 + 90_000, 30_000, new WindowReport(3, 303, 60, "synced"))), Timeout);
        var final = await journal.Ask<SyncView>(GetView.Instance, Timeout);
        var windows = await journal.Ask<WindowList>(new GetWindows(Device, 10), Timeout);
        await Polling.Until(() => Task.FromResult(LastSnapshotAt(StateJournal.PersistenceIdPrefix) == 4 && LastSnapshotAt(WindowHistoryJournal.PersistenceIdPrefix) == 4));
        await SqliteTestDatabase.Stop(system);

        var verify = await NodeCliRunner.RunMirror("journal", "verify", "--db", _db.Path);
        var list = await NodeCliRunner.RunMirror("journal", "list", "--db", _db.Path, "--json");
        var stats = await NodeCliRunner.RunMirror("journal", "stats", "--db", _db.Path, "--json");

        // The state journal: 3 windows of 2 log events each, its snapshot at 4. The window history:
        // 3 windows of 2 events each and a heartbeat, its snapshot at 4, events 5..7 after it.
        Assert.Equal(4, windows.TotalWindows);
        Assert.Equal(["s1", "s2", "s3", null], windows.Windows.Select(w => w.Session?.SessionId));
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("snapshot at event 4 matches the replay", verify.Stdout);
        Assert.Contains("window history of device dev-win: snapshot at event 4, 3 events after it, 4 windows kept of 4", verify.Stdout);
        Assert.Equal("all holds (1 copy checked)", verify.Lines[^1]);
        Assert.Equal(0, _db.ReadNumber("SELECT COUNT(*) FROM journal WHERE persistence_id = $id AND manifest IN ('heartbeat-recorded', 'session-recorded')",
            StateJournal.PersistenceIdPrefix + Device.Value));
        Assert.True(list.ExitCode == 0, list.ToString());
        var actor = Assert.Single(JsonDocument.Parse(list.Stdout).RootElement.GetProperty("actors").EnumerateArray());
        Assert.Equal(6, actor.GetProperty("events").GetInt64());
        Assert.Equal(final.DeviceLog.Length, actor.GetProperty("deviceLog").GetProperty("length").GetInt64());
        Assert.Equal(final.MirrorLog.Head.ToHex(), actor.GetProperty("mirrorLog").GetProperty("head").GetString());
        Assert.True(stats.ExitCode == 0, stats.ToString());
    }

    private long LastSnapshotAt(string prefix) =>
        _db.ReadNumber("SELECT COALESCE(MAX(sequence_number), 0) FROM snapshot WHERE persistence_id = $id", prefix + Device.Value);

    public void Dispose() => _db.Dispose();
}
