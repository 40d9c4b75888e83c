using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace IoTSync.Logs;

/// <summary>
/// What the CommandRecorder and the StateJournal share: a snapshot every N events with older
/// snapshots deleted once a newer one is safe, and reading log ranges back from the journal.
/// </summary>
public abstract class LogHoldingActor : ReceivePersistentActor
{
    private readonly LogHolderSettings _settings;
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

    /// <summary>Call after each persisted event.</summary>
    protected void SnapshotIfDue()
    {
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
        base.OnPersistFailure(cause, @event, sequenceNr);
    }
}
