using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using IoTSync.Model;
using static IoTSync.Mirror.StateJournalEvents;
using static IoTSync.Mirror.WindowHistoryJournalMessages;

namespace IoTSync.Mirror;

/// <summary>
/// One device's window history (heartbeats answered, sessions run) in a journal of its own
/// (<c>window-history-ID</c>), a child of the device's <see cref="StateJournal"/>, so that the
/// hash-chained log journal holds only log and state events. Keeps what its
/// <see cref="WindowRetention"/> allows; after every snapshot it deletes the events and the
/// snapshots before it, so a device costs bounded space however long it runs.
/// </summary>
/// <remarks>
/// <c>seed</c> is the history a StateJournal recovered from window events written before this
/// journal existed (they stay where they are: deleting them would delete the log entries between
/// them). It is where recovery starts when this journal has no snapshot yet, so an upgraded
/// mirror keeps its devices' history and recovers to the same history every time.
/// </remarks>
public sealed class WindowHistoryJournal : ReceivePersistentActor
{
    public const string PersistenceIdPrefix = "window-history-";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly DeviceId _device;
    private readonly WindowRetention _retention;
    private WindowHistory _history;

    public WindowHistoryJournal(DeviceId device, WindowRetention retention, WindowHistory? seed)
    {
        _device = device;
        _retention = retention;
        _history = seed ?? WindowHistory.Empty;

        Recover<SnapshotOffer>(offer => _history = (WindowHistory)offer.Snapshot);
        Recover<HeartbeatRecorded>(heartbeat => _history = _history.Apply(heartbeat, _retention));
        Recover<SessionRecorded>(session => _history = _history.Apply(session, _retention));
        Recover<RecoveryCompleted>(_ => Context.Parent.Tell(new WindowsRecovered(_history)));

        Command<RecordWindowEvent>(record =>
        {
            var replyTo = Sender;
            Persist(record.Event, persisted =>
            {
                _history = _history.Apply(persisted, _retention);
                Context.Parent.Tell(new WindowsChanged(_history, persisted, replyTo));
                Context.System.EventStream.Publish(new WindowRecorded(_device, persisted));
                if (_retention.SnapshotDue(LastSequenceNr))
                    SaveSnapshot(_history);
            });
        });
        Command<SaveSnapshotSuccess>(success =>
        {
            DeleteMessages(success.Metadata.SequenceNr);
            DeleteSnapshots(new SnapshotSelectionCriteria(success.Metadata.SequenceNr - 1));
        });
        Command<SaveSnapshotFailure>(failure =>
            _log.Warning("[{0}] window history snapshot at {1} failed (its events are kept until one succeeds): {2}", _device, failure.Metadata.SequenceNr, failure.Cause.Message));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(failure =>
            _log.Warning("[{0}] deleting window events up to {1} failed (the next snapshot tries again): {2}", _device, failure.ToSequenceNr, failure.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failure => _log.Warning("[{0}] deleting old window history snapshots failed: {1}", _device, failure.Cause.Message));
    }

    public static Props Props(DeviceId device, WindowRetention retention, WindowHistory? seed) =>
        Akka.Actor.Props.Create(() => new WindowHistoryJournal(device, retention, seed));

    public override string PersistenceId => PersistenceIdPrefix + _device.Value;

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "[{0}] journal rejected window event {1} at {2}; nothing changed", _device, @event.GetType().Name, sequenceNr);
        Sender.Tell(new Status.Failure(new InvalidOperationException($"journal rejected the write: {cause.Message}", cause)));
        Context.Parent.Tell(WindowEventNotWritten.Instance);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "[{0}] journal write of window event {1} at {2} failed; stopping so the next one recovers from the journal", _device, @event.GetType().Name, sequenceNr);
        Sender.Tell(new Status.Failure(new InvalidOperationException($"the window history could not be written: {cause.Message}", cause)));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }
}
