using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace IoTSync.Logs;

/// <summary>
/// What the CommandRecorder and the StateJournal share: a snapshot every N events with older
/// snapshots deleted once a newer one is safe, reading log ranges back from the journal, and its side of a
/// <see cref="JournalSupervisor"/>: a failed write answers its caller with the named fault and stops the actor.
/// </summary>
public abstract class LogHoldingActor : ReceivePersistentActor
{
    private readonly LogHolderSettings _settings;
    private readonly JournalSupervisorLink _supervisor = new();
    private JournalLogReader? _reader;

    protected LogHoldingActor(LogHolderSettings settings)
    {
        _settings = settings;
        Command<SaveSnapshotSuccess>(success =>
            DeleteSnapshots(new SnapshotSelectionCriteria(success.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(failure => Log.Warning("[{0}] snapshot at {1} failed: {2}", DeviceLabel, failure.Metadata.SequenceNr, failure.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<LogHolderMessages.GetView>(_ => Sender.Tell(Logs.View));
        Command<LogHolderMessages.GetState>(_ => Sender.Tell(QueriedState));
        Command<LogHolderMessages.ReadLog>(read => ReadLog(read.Log, read.FromSequence, read.MaxEntries)
            .PipeTo(Sender, success: entries => new LogHolderMessages.LogRange(entries)));
        Command<JournalSupervisorMessages.Attach>(_ => _supervisor.Attach(Sender));
        Command<JournalSupervisorMessages.GetJournalHealth>(_ => Sender.Tell(JournalSupervisorLink.Health));
        Command<DeleteSnapshotsFailure>(failure => Log.Warning("[{0}] deleting old snapshots failed: {1}", DeviceLabel, failure.Cause.Message));
    }

    /// <summary>The device id, for the start of every log line.</summary>
    protected abstract string DeviceLabel { get; }

    /// <summary>The whole state record: what snapshots hold and GetState answers.</summary>
    protected abstract object SnapshotState { get; }

    /// <summary>What GetState answers: the snapshot's record unless the actor holds more than its journal does.</summary>
    protected virtual object QueriedState => SnapshotState;

    /// <summary>Both logs as held now.</summary>
    protected abstract LogPair Logs { get; }

    /// <summary>
    /// The first fault recovery found (<see cref="RecoveryCheck"/>), or the recovery's own failure;
    /// null while the journal checks out. Once set, nothing more is applied in recovery.
    /// </summary>
    protected RecoveryFault? Corruption { get; private set; }

    /// <summary>Checks a snapshot on offer; false (and <see cref="Corruption"/> set) when it must not be used.</summary>
    protected bool CheckRecovered(SnapshotOffer offer, LogPair logs)
    {
        if (Corruption is not null)
            return false;
        var check = RecoveryCheck.Snapshot(logs, offer.Metadata.SequenceNr);
        if (!check.IsRejection)
            return true;
        Corruption = RecoveryFault.Of(check, null, offer.Metadata.SequenceNr);
        return false;
    }

    /// <summary>
    /// Checks an event replayed in recovery against the logs <paramref name="held"/> so far; false
    /// when it must not be applied: it is an entry that fails <see cref="RecoveryCheck.Entry"/>, or an
    /// earlier event or the snapshot failed.
    /// </summary>
    protected bool CheckRecovered(object @event, LogPair held)
    {
        if (Corruption is not null)
            return false;
        if (@event is not EntryAppended { Entry: var entry })
            return true;
        var check = RecoveryCheck.Entry(held, entry);
        if (!check.IsRejection)
            return true;
        Corruption = RecoveryFault.Of(check, entry.Origin, LastSequenceNr);
        return false;
    }

    /// <summary>
    /// A recovery that failed outright: when the store could not be read for now (<see cref="Persistence.JournalFault.IsStoreOutage"/>),
    /// a WARNING and a restart after the supervisor's back-off; otherwise (an event or a snapshot that does not decode, a
    /// damaged file) one ERROR line naming it, no stack trace, and the journal is given up. The actor stops after this.
    /// </summary>
    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        if (Persistence.JournalFault.IsStoreOutage(reason))
        {
            // The store could not be read for now: the supervisor answers with the fault and starts this actor again after its back-off.
            var fault = Persistence.JournalFault.Describe(reason);
            Log.Warning("[{0}] the journal of {1} could not be read ({2}); recovered again after a back-off", DeviceLabel, PersistenceId, fault);
            Context.Parent.Tell(new JournalSupervisorMessages.ChildFailed(fault));
            return;
        }
        Corruption = RecoveryFault.Failed(LastSequenceNr + 1, reason.GetBaseException().Message);
        Log.Error("[{0}] ALERT the journal of {1} did not recover: {2}", DeviceLabel, PersistenceId, Corruption.Describe());
        // Starting it again would fail the same way: the supervisor passes this up and stops for good.
        Context.Parent.Tell(GaveUp(Corruption));
    }

    /// <summary>What the parent is told when the journal does not recover at all.</summary>
    protected virtual JournalSupervisorMessages.IJournalGaveUp GaveUp(RecoveryFault fault) => new JournalSupervisorMessages.JournalGaveUp(PersistenceId, fault);

    /// <summary>Call after each persisted event.</summary>
    protected void SnapshotIfDue()
    {
        _supervisor.Wrote();
        if (LastSequenceNr % _settings.SnapshotEvery == 0)
            SaveSnapshot(SnapshotState);
    }

    /// <summary>
    /// Reads a range of one log back from the journal, as far as <paramref name="held"/> (the logs
    /// now, unless given) reach. Safe to call off the actor's thread once called on it.
    /// </summary>
    protected Task<System.Collections.Immutable.ImmutableArray<LogEntry>> ReadLog(Origin origin, long fromSequence, int maxEntries, LogPair? held = null)
    {
        held ??= Logs;
        // Created on first use, on the actor's thread; later reads may come from continuations.
        _reader ??= new JournalLogReader(Context.System, _settings.ReadJournalPluginId);
        return _reader.Read(PersistenceId, held.Index, origin, fromSequence, maxEntries, held.Position(origin).Length);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        Log.Error(cause, "[{0}] journal rejected {1} at {2}; nothing changed", DeviceLabel, @event.GetType().Name, sequenceNr);
        Sender.Tell(new Status.Failure(new InvalidOperationException($"journal rejected the write: {cause.Message}", cause)));
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Log.Error(cause, "[{0}] journal write of {1} at {2} failed; stopping so a restart recovers from the journal", DeviceLabel, @event.GetType().Name, sequenceNr);
        // Whoever waits on this actor is answered first: the caller of the failed write may be one of them,
        // waiting on something already written (a command recorded, whose start or result was not).
        var callerAnswered = OnJournalFailed(Persistence.JournalFault.Describe(cause), Sender);
        _supervisor.Failed(cause, callerAnswered ? ActorRefs.Nobody : Sender, Self);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    /// <summary>
    /// A write failed and the actor is stopping: answer whoever waits on it with <paramref name="fault"/>, so no
    /// one waits for a timeout. True when <paramref name="caller"/> (the sender of the failed write) was among
    /// them; otherwise it is answered with the bare fault.
    /// </summary>
    protected virtual bool OnJournalFailed(string fault, IActorRef caller) => false;
}
