using System.Collections.Immutable;
using Akka.Actor;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Serialization;
using Microsoft.Data.Sqlite;
using Xunit;
using static IoTSync.Logs.LogHolderMessages;
using static IoTSync.Mirror.StateJournalEvents;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Mirror;

public sealed class StateJournalSpecs : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private static readonly DeviceId Device = new("dev-7");
    private readonly SqliteTestDatabase _db = new();
    private readonly FakeWallClock _clock = new();

    private IActorRef Journal(ActorSystem system, int snapshotEvery = 1000, int maxOpen = 100) => system.ActorOf(
        StateJournal.Props(Device, new StateJournalSettings(maxOpen, 1024, _db.LogHolder(snapshotEvery), WindowRetention.Default with { SnapshotEvery = snapshotEvery }), _clock), "journal");

    /// <summary>Device-log entries as the device would write them: a result for each given mirror command.</summary>
    private static ImmutableArray<LogEntry> ResultsFor(LogPosition deviceLog, params long[] mirrorSequences)
    {
        var entries = ImmutableArray.CreateBuilder<LogEntry>();
        foreach (var sequence in mirrorSequences)
        {
            var result = LogEntry.NewResult(deviceLog, new HlcTimestamp(10 + sequence, 0), "device:dev-7",
                new CommandRef(Origin.Mirror, sequence), new ResultFields(CommandOutcome.Executed, 0, $"done {sequence}", false, 3));
            entries.Add(result);
            deviceLog = deviceLog.After(result);
        }
        return entries.ToImmutable();
    }

    [Fact]
    public async Task Should_take_a_command_from_pending_through_delivered_to_its_outcome()
    {
        var journal = Journal(_db.Start());

        var submitted = await journal.Ask<Submitted>(new SubmitCommand(Device, ["reboot"], "operator", null), Timeout);
        Assert.Equal(CommandStatus.Pending, (await journal.Ask<CommandStatusReply>(new GetCommandStatus(Device, 1), Timeout)).Status);

        await journal.Ask<Acknowledged>(new ConfirmDelivery(Device, LogPosition.Empty(Device, Origin.Mirror).After(submitted.Entry)), Timeout);
        Assert.Equal(CommandStatus.Delivered, (await journal.Ask<CommandStatusReply>(new GetCommandStatus(Device, 1), Timeout)).Status);

        var answer = await journal.Ask<AppendAnswer>(new AppendDeviceEntries(Device, ResultsFor(LogPosition.Empty(Device, Origin.Device), 1)), Timeout);
        Assert.Equal(Verdict.Appendable, answer.Verdict);
        var status = await journal.Ask<CommandStatusReply>(new GetCommandStatus(Device, 1), Timeout);
        Assert.Equal(CommandStatus.Resolved, status.Status);
        Assert.Equal(CommandOutcome.Executed, status.Outcome);
        Assert.Equal("done 1", status.Result!.Result!.Output);
        Assert.Equal(["reboot"], status.Command!.Argv.ToArray());
    }

    [Fact]
    public async Task Should_report_a_property_operation_as_applied_and_an_unknown_sequence_as_unknown()
    {
        var journal = Journal(_db.Start());
        await journal.Ask<Submitted>(new SubmitCommand(Device, ["set", "fan", "on"], "operator", null), Timeout);

        Assert.Equal(CommandStatus.Applied, (await journal.Ask<CommandStatusReply>(new GetCommandStatus(Device, 1), Timeout)).Status);
        Assert.Equal(CommandStatus.Unknown, (await journal.Ask<CommandStatusReply>(new GetCommandStatus(Device, 2), Timeout)).Status);
        Assert.Equal("on", (await journal.Ask<StateJournalState>(GetState.Instance, Timeout)).Logs.Model.Get("fan"));
    }

    [Theory]
    [InlineData("oversized")]
    [InlineData("empty")]
    [InlineData("nul")]
    [InlineData("too-many-open")]
    public async Task Should_refuse_a_bad_command_and_write_nothing(string kind)
    {
        var journal = Journal(_db.Start(), maxOpen: 1);
        if (kind == "too-many-open")
            await journal.Ask<Submitted>(new SubmitCommand(Device, ["first"], "operator", null), Timeout);
        var before = await journal.Ask<SyncView>(GetView.Instance, Timeout);
        ImmutableArray<string> argv = kind switch
        {
            "oversized" => ["echo", new string('x', 2048)],
            "empty" => [],
            "nul" => ["echo", "a\0b"],
            _ => ["second"],
        };

        var refused = await journal.Ask<SubmitRefused>(new SubmitCommand(Device, argv, "operator", null), Timeout);

        Assert.NotEmpty(refused.Reason);
        Assert.Equal(before, await journal.Ask<SyncView>(GetView.Instance, Timeout));
    }

    [Fact]
    public async Task Should_refuse_a_cancel_of_anything_but_an_open_device_command()
    {
        var journal = Journal(_db.Start());
        await journal.Ask<Submitted>(new SubmitCommand(Device, ["set", "a", "b"], "operator", null), Timeout);

        Assert.IsType<SubmitRefused>(await journal.Ask<object>(new CancelCommand(Device, 1, "operator"), Timeout));
        Assert.IsType<SubmitRefused>(await journal.Ask<object>(new CancelCommand(Device, 9, "operator"), Timeout));
        await journal.Ask<Submitted>(new SubmitCommand(Device, ["reboot"], "operator", null), Timeout);
        var cancel = await journal.Ask<Submitted>(new CancelCommand(Device, 2, "operator"), Timeout);
        Assert.Equal(EntryKind.Cancel, cancel.Entry.Kind);
        Assert.IsType<SubmitRefused>(await journal.Ask<object>(new CancelCommand(Device, 2, "operator"), Timeout));
    }

    [Fact]
    public async Task Should_refuse_a_device_batch_with_a_gap_and_store_nothing()
    {
        var journal = Journal(_db.Start());
        var batch = ResultsFor(LogPosition.Empty(Device, Origin.Device), 1, 2, 3);

        var answer = await journal.Ask<AppendAnswer>(new AppendDeviceEntries(Device, [batch[0], batch[2]]), Timeout);

        Assert.Equal(Verdict.Gap, answer.Verdict);
        Assert.Equal(0, answer.View.DeviceLog.Length);
    }

    [Fact]
    public async Task Should_come_back_with_logs_statuses_and_divergence_after_a_restart()
    {
        var first = _db.Start(snapshotEvery: 3);
        var journal = Journal(first, snapshotEvery: 3);
        for (var i = 0; i < 4; i++)
            await journal.Ask<Submitted>(new SubmitCommand(Device, ["cmd", $"{i}"], "operator", null), Timeout);
        await journal.Ask<Submitted>(new SubmitCommand(Device, ["set", "colour", "blue"], "operator", null), Timeout);
        var mirrorLog = (await journal.Ask<SyncView>(GetView.Instance, Timeout)).MirrorLog;
        await journal.Ask<Acknowledged>(new ConfirmDelivery(Device, mirrorLog with { Length = 3 }), Timeout);
        await journal.Ask<AppendAnswer>(new AppendDeviceEntries(Device, ResultsFor(LogPosition.Empty(Device, Origin.Device), 1, 2)), Timeout);
        await journal.Ask<Acknowledged>(new MarkDiverged(Device, Origin.Device, Verdict.Fork, 2, "test"), Timeout);
        var before = await journal.Ask<StateJournalState>(GetState.Instance, Timeout);
        await SqliteTestDatabase.Stop(first);

        var again = Journal(_db.Start(snapshotEvery: 3), snapshotEvery: 3);
        var after = await again.Ask<StateJournalState>(GetState.Instance, Timeout);

        Assert.Equal(before.Logs.View, after.Logs.View);
        Assert.Equal(5, after.Logs.MirrorLog.Length);
        Assert.Equal(2, after.Logs.DeviceLog.Length);
        Assert.Equal("blue", after.Logs.Model.Get("colour"));
        Assert.True(after.IsDiverged);
        var statuses = new List<CommandStatus>();
        for (var sequence = 1; sequence <= 5; sequence++)
            statuses.Add((await again.Ask<CommandStatusReply>(new GetCommandStatus(Device, sequence), Timeout)).Status);
        Assert.Equal([CommandStatus.Resolved, CommandStatus.Resolved, CommandStatus.Delivered, CommandStatus.Pending, CommandStatus.Applied], statuses);
    }

    [Fact]
    public async Task Should_keep_one_small_snapshot_and_read_ranges_past_the_index_interval()
    {
        const int snapshotEvery = 500;
        var system = _db.Start(snapshotEvery);
        var journal = Journal(system, snapshotEvery);
        var deviceLog = LogPosition.Empty(Device, Origin.Device);
        var total = JournalIndex.Interval + 300;
        for (var written = 0; written < total;)
        {
            var batch = ImmutableArray.CreateBuilder<LogEntry>();
            for (var i = 0; i < 200 && written < total; i++, written++)
            {
                var entry = LogEntry.NewCommand(deviceLog, Origin.Device, new HlcTimestamp(written + 1, 0), "device", ["set", $"k{written % 7}", $"{written}"]);
                batch.Add(entry);
                deviceLog = deviceLog.After(entry);
            }
            Assert.Equal(Verdict.Appendable, (await journal.Ask<AppendAnswer>(new AppendDeviceEntries(Device, batch.ToImmutable()), Timeout)).Verdict);
        }

        var range = await journal.Ask<LogRange>(new ReadLog(Origin.Device, JournalIndex.Interval + 5, 4), Timeout);
        Assert.Equal(Enumerable.Range(JournalIndex.Interval + 5, 4).Select(i => (long)i), range.Entries.Select(e => e.Sequence));
        Assert.Empty((await journal.Ask<LogRange>(new ReadLog(Origin.Device, total + 1, 4), Timeout)).Entries);

        await Polling.Until(() => Task.FromResult(SnapshotRows() == 1));
        await SqliteTestDatabase.Stop(system);
        var again = Journal(_db.Start(snapshotEvery), snapshotEvery);
        Assert.Equal(deviceLog, (await again.Ask<SyncView>(GetView.Instance, Timeout)).DeviceLog);
    }

    [Fact]
    public async Task Should_record_heartbeats_and_sessions_as_window_history_and_answer_it_after_a_restart()
    {
        const long t0 = 1_700_000_000_000;
        var first = _db.Start(snapshotEvery: 3);
        var journal = Journal(first, snapshotEvery: 3);
        var session = new SessionRecorded("s1", t0 + 100, t0 + 400, 300, 1, 0, Sha256Hash.Of([1]), "Converged", null);
        await journal.Ask<Acknowledged>(new RecordHeartbeat(Device, new HeartbeatRecorded(t0, 30_000, null)), Timeout);
        await journal.Ask<Submitted>(new SubmitCommand(Device, ["reboot"], "operator", null), Timeout);
        await journal.Ask<Acknowledged>(new RecordSession(Device, session), Timeout);
        await journal.Ask<Acknowledged>(new RecordHeartbeat(Device, new HeartbeatRecorded(t0 + 30_000, 30_000, new WindowReport(1, 512, 64, "synced"))), Timeout);
        await journal.Ask<Acknowledged>(new RecordHeartbeat(Device, new HeartbeatRecorded(t0 + 60_000, 30_000, new WindowReport(2, 71, 60, "nothing to sync"))), Timeout);
        var before = await journal.Ask<WindowList>(new GetWindows(Device, 10), Timeout);
        var stateBefore = await journal.Ask<StateJournalState>(GetState.Instance, Timeout);
        // Four window events: the window history's snapshot at 3, its events before it deleted, one after it.
        await Polling.Until(() => Task.FromResult(SnapshotRows(WindowHistoryJournal.PersistenceIdPrefix) == 1 && WindowEventRows() == 1));
        await SqliteTestDatabase.Stop(first);

        var again = Journal(_db.Start(snapshotEvery: 3), snapshotEvery: 3);
        var after = await again.Ask<WindowList>(new GetWindows(Device, 10), Timeout);
        var stateAfter = await again.Ask<StateJournalState>(GetState.Instance, Timeout);

        Assert.Equal(3, before.TotalWindows);
        Assert.Equal(new WindowRecord(1, t0, new WindowReport(1, 512, 64, "synced"), session), before.Windows[0]);
        Assert.Equal(new WindowRecord(2, t0 + 30_000, new WindowReport(2, 71, 60, "nothing to sync"), null), before.Windows[1]);
        Assert.Equal(new WindowRecord(3, t0 + 60_000, null, null), before.Windows[2]);
        Assert.Equal(before.TotalWindows, after.TotalWindows);
        Assert.Equal(before.Windows.ToArray(), after.Windows.ToArray());
        Assert.Equal(IoTSyncCodec.Encode(stateBefore), IoTSyncCodec.Encode(stateAfter));
        Assert.Equal(t0 + 60_000, stateAfter.History.LastHeartbeatAtUnixMs);
        Assert.Equal(30_000, stateAfter.History.CyclePeriodMs);
        Assert.Equal(1, stateAfter.Logs.MirrorLog.Length);
        Assert.Equal([before.Windows[^1]], (await again.Ask<WindowList>(new GetWindows(Device, 1), Timeout)).Windows.ToArray());
    }

    [Fact]
    public async Task Should_keep_window_history_out_of_both_logs()
    {
        var journal = Journal(_db.Start());
        var view = await journal.Ask<SyncView>(GetView.Instance, Timeout);

        await journal.Ask<Acknowledged>(new RecordHeartbeat(Device, new HeartbeatRecorded(1_700_000_000_000, 30_000, new WindowReport(1, 5, 1, "synced"))), Timeout);
        await journal.Ask<Acknowledged>(new RecordSession(Device, new SessionRecorded("s", 1, 2, 1, 0, 0, null, SessionRecorded.Failed, "refused")), Timeout);

        Assert.Equal(view, await journal.Ask<SyncView>(GetView.Instance, Timeout));
        // The reported window 1, and window 2 opened by the heartbeat, whose session it is.
        var windows = await journal.Ask<WindowList>(new GetWindows(Device, 5), Timeout);
        Assert.Equal(2, windows.TotalWindows);
        Assert.Equal("refused", windows.Windows[^1].Session!.Error);
    }

    private long SnapshotRows(string prefix = StateJournal.PersistenceIdPrefix) =>
        _db.ReadNumber("SELECT COUNT(*) FROM snapshot WHERE persistence_id = $id", prefix + Device.Value);

    /// <summary>Window events left in the journal (not marked deleted), whichever actor wrote them.</summary>
    private long WindowEventRows() =>
        _db.ReadNumber("SELECT COUNT(*) FROM journal WHERE manifest IN ('heartbeat-recorded', 'session-recorded') AND NOT deleted");

    public void Dispose() => _db.Dispose();
}
