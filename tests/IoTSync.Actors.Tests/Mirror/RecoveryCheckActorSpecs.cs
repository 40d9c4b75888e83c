using Akka.Actor;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Persistence;
using Microsoft.Data.Sqlite;
using Xunit;
using static IoTSync.Device.CommandRecorderMessages;
using static IoTSync.Logs.LogHolderMessages;
using static IoTSync.Mirror.StateJournalEvents;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Mirror;

/// <summary>
/// Both log holders recovering from a journal edited on disk with the stored hash kept (issue 11,
/// fault 4): the StateJournal serves the device as corrupt and the others as before; the
/// CommandRecorder answers nothing but the fault; a digest mismatch marks the device until an exchange agrees.
/// </summary>
public sealed class RecoveryCheckActorSpecs : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private static readonly DeviceId Device = new("dev-7");
    private static readonly DeviceId Other = new("dev-8");
    private readonly SqliteTestDatabase _db = new();
    private readonly FakeWallClock _clock = new();

    private StateJournalSettings JournalSettings => new(100, 1024, _db.LogHolder());

    /// <summary>Replaces <paramref name="from"/> with <paramref name="to"/> in the one event of <paramref name="persistenceId"/> holding it; its journal sequence number.</summary>
    private long Edit(string persistenceId, string from, string to)
    {
        SqlitePersistence.ClearPool(_db.Path);
        using var connection = new SqliteConnection($"Data Source={_db.Path};Pooling=False");
        connection.Open();
        using var find = connection.CreateCommand();
        find.CommandText = "SELECT sequence_number FROM journal WHERE persistence_id = $id AND instr(CAST(message AS TEXT), $from) > 0";
        find.Parameters.AddWithValue("$id", persistenceId);
        find.Parameters.AddWithValue("$from", from);
        var sequenceNr = (long)find.ExecuteScalar()!;
        using var update = connection.CreateCommand();
        update.CommandText = "UPDATE journal SET message = CAST(replace(CAST(message AS TEXT), $from, $to) AS BLOB) WHERE persistence_id = $id AND sequence_number = $nr";
        update.Parameters.AddWithValue("$id", persistenceId);
        update.Parameters.AddWithValue("$from", from);
        update.Parameters.AddWithValue("$to", to);
        update.Parameters.AddWithValue("$nr", sequenceNr);
        Assert.Equal(1, update.ExecuteNonQuery());
        return sequenceNr;
    }

    [Fact]
    public async Task Should_serve_a_device_whose_journal_was_edited_as_corrupt_and_the_others_as_before()
    {
        var first = _db.Start();
        var journals = first.ActorOf(StateJournals.Props(JournalSettings, _clock));
        foreach (var argv in new[] { new[] { "echo", "one" }, ["echo", "two"], ["echo", "three"] })
            await journals.Ask<Submitted>(new SubmitCommand(Device, [.. argv], "operator", null), Timeout);
        await journals.Ask<Submitted>(new SubmitCommand(Other, ["echo", "other"], "operator", null), Timeout);
        await SqliteTestDatabase.Stop(first);
        var edited = Edit(StateJournal.PersistenceIdPrefix + Device.Value, "\"two\"", "\"twO\"");

        var again = _db.Start().ActorOf(StateJournals.Props(JournalSettings, _clock));
        var state = await again.Ask<StateJournalState>(new GetJournalState(Device), Timeout);

        Assert.Equal($"mirror log entry 2 (journal event {edited}): BadHash: hash does not match the entry's content", state.Corruption?.Describe());
        Assert.Equal(1, state.Logs.MirrorLog.Length);
        Assert.Equal("corrupt", Liveness.Of(state, _clock.UtcNowMs, 3).Label);
        var refused = await again.Ask<object>(new SubmitCommand(Device, ["echo", "four"], "operator", null), Timeout);
        Assert.Contains($"mirror log entry 2 (journal event {edited})", Assert.IsType<SubmitRefused>(refused).Reason);
        var status = await Assert.ThrowsAsync<InvalidOperationException>(() => again.Ask<CommandStatusReply>(new GetCommandStatus(Device, 1), Timeout));
        Assert.Contains("corrupt", status.Message);
        Assert.Equal(Acknowledged.Instance, await again.Ask<Acknowledged>(new RecordHeartbeat(Device, new HeartbeatRecorded(_clock.UtcNowMs, 1000, null)), Timeout));

        var served = await again.Ask<Submitted>(new SubmitCommand(Other, ["echo", "still"], "operator", null), Timeout);
        Assert.Equal(2, served.Entry.Sequence);
        Assert.Null((await again.Ask<StateJournalState>(new GetJournalState(Other), Timeout)).Corruption);
    }

    [Fact]
    public async Task Should_answer_for_a_device_whose_journal_does_not_recover_at_all()
    {
        var first = _db.Start();
        var journals = first.ActorOf(StateJournals.Props(JournalSettings, _clock));
        await journals.Ask<Submitted>(new SubmitCommand(Device, ["echo", "one"], "operator", null), Timeout);
        await SqliteTestDatabase.Stop(first);
        var broken = Edit(StateJournal.PersistenceIdPrefix + Device.Value, "\"argv\":[", "\"argv\":{");

        var again = _db.Start().ActorOf(StateJournals.Props(JournalSettings, _clock));
        // The first request may go down with the journal that fails: its parent answers from then on.
        _ = again.Ask<object>(new GetJournalState(Device), TimeSpan.FromSeconds(2)).ContinueWith(_ => { }, TaskScheduler.Default);
        StateJournalState? state = null;
        await Polling.Until(async () =>
        {
            try
            {
                state = await again.Ask<StateJournalState>(new GetJournalState(Device), TimeSpan.FromSeconds(2));
                return state.Corruption is not null;
            }
            catch (AskTimeoutException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(20), "the device answered as corrupt");

        Assert.StartsWith($"recovery failed at journal event {broken}", state!.Corruption!.Describe());
        Assert.IsType<SubmitRefused>(await again.Ask<object>(new SubmitCommand(Device, ["echo", "two"], "operator", null), Timeout));
    }

    [Fact]
    public async Task Should_answer_nothing_but_the_fault_from_a_device_journal_that_was_edited()
    {
        var first = _db.Start();
        var settings = new CommandRecorderSettings("device:dev-7", TimeSpan.FromSeconds(5), _db.LogHolder());
        var recorder = first.ActorOf(CommandRecorder.Props(Device, settings, new FakeCommandRunner(), _clock));
        await recorder.Ask<CommandCompleted>(new RecordCommand(["set", "mode", "eco"], "operator"), Timeout);
        await recorder.Ask<CommandCompleted>(new RecordCommand(["set", "fan", "on"], "operator"), Timeout);
        await SqliteTestDatabase.Stop(first);
        var edited = Edit(CommandRecorder.PersistenceIdPrefix + Device.Value, "\"eco\"", "\"ecO\"");

        var again = _db.Start().ActorOf(CommandRecorder.Props(Device, settings, new FakeCommandRunner(), _clock));

        var fault = await Assert.ThrowsAsync<CorruptJournalException>(() => again.Ask<SyncView>(GetView.Instance, Timeout));
        Assert.Contains($"device log entry 1 (journal event {edited}): BadHash", fault.Message);
        await Assert.ThrowsAsync<CorruptJournalException>(() => again.Ask<CommandCompleted>(new RecordCommand(["set", "x", "1"], "operator"), Timeout));
    }

    [Fact]
    public async Task Should_mark_a_digest_mismatch_alert_it_and_keep_it_over_a_restart_until_an_exchange_agrees()
    {
        var first = _db.Start();
        var journal = first.ActorOf(StateJournal.Props(Device, JournalSettings, _clock));
        var now = _clock.UtcNowMs;
        await journal.Ask<Acknowledged>(new RecordSession(Device, new SessionRecorded("s1", now, now + 50, 50, 0, 0, null,
            nameof(IoTSync.Sync.ExchangeOutcome.DigestMismatch), "same logs, digests differ: mirror aa, device bb")), Timeout);
        var marked = await journal.Ask<StateJournalState>(new GetJournalState(Device), Timeout);
        await SqliteTestDatabase.Stop(first);

        var again = _db.Start().ActorOf(StateJournal.Props(Device, JournalSettings, _clock));
        var recovered = await again.Ask<StateJournalState>(new GetJournalState(Device), Timeout);
        await again.Ask<Acknowledged>(new RecordSession(Device, new SessionRecorded("s2", now + 100, now + 150, 50, 0, 0, null,
            nameof(IoTSync.Sync.ExchangeOutcome.Converged), null, recovered.Logs.View)), Timeout);
        var agreed = await again.Ask<StateJournalState>(new GetJournalState(Device), Timeout);

        Assert.Equal("mismatch", Liveness.Of(marked, now + 100, 3).Label);
        Assert.Equal("same logs, digests differ: mirror aa, device bb", recovered.Mismatch);
        Assert.Null(agreed.Mismatch);
    }

    public void Dispose() => _db.Dispose();
}
