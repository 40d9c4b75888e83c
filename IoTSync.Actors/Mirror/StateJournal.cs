using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using IoTSync.Logs;
using IoTSync.Model;
using static IoTSync.Logs.LogHolderMessages;
using static IoTSync.Mirror.StateJournalEvents;
using static IoTSync.Mirror.StateJournalMessages;
using static IoTSync.Mirror.WindowHistoryJournalMessages;

namespace IoTSync.Mirror;

/// <summary>
/// The mirror's persistent actor for one device and the sole writer of that device's mirror log.
/// Holds the replica of the device log, the model over both, how far the device confirmed the
/// mirror log (pending → delivered), and whether the device diverged. Entries stay in the
/// journal; status questions about resolved commands are answered by reading it back.
/// What to write and what to answer is decided by <see cref="StateJournalState"/>; the actor
/// persists, replies, logs and keeps the clock. Recovery checks every entry it replays
/// (<see cref="RecoveryCheck"/>): a journal that fails is served as corrupt, answered at once and never written.
/// Window history (heartbeats, sessions) is kept by a child <see cref="WindowHistoryJournal"/> in a
/// journal of its own; this actor holds the newest history it reported, and answers questions that
/// need it (windows, state) once the child has recovered. Window events an older mirror wrote here
/// are still recovered (into <see cref="StateJournalState.Windows"/>) and seed the child's history.
/// </summary>
public sealed class StateJournal : LogHoldingActor
{
    public const string PersistenceIdPrefix = "state-journal-";

    private readonly DeviceId _device;
    private readonly StateJournalSettings _settings;
    private readonly HybridLogicalClock _clock;
    private readonly DeviceBoard? _board;
    private StateJournalState _state;
    private DeviceSummary? _posted;
    private IActorRef _windowJournal = ActorRefs.Nobody;
    private WindowHistory? _windows;
    private bool _awaitingWindowJournal;

    public StateJournal(DeviceId device, StateJournalSettings settings, IWallClock wall, DeviceBoard? board = null) : base(settings.Journal)
    {
        _device = device;
        _board = board;
        _settings = settings;
        _clock = new HybridLogicalClock(wall);
        _state = StateJournalState.Empty(device);

        Recover<SnapshotOffer>(offer =>
        {
            if (CheckRecovered(offer, ((StateJournalState)offer.Snapshot).Logs))
                _state = (StateJournalState)offer.Snapshot;
        });
        Recover<EntryAppended>(Recovered);
        Recover<DeliveryConfirmed>(Recovered);
        Recover<DivergenceDetected>(Recovered);
        Recover<HeartbeatRecorded>(Recovered);
        Recover<SessionRecorded>(Recovered);
        Recover<RecoveryCompleted>(_ =>
        {
            _clock.Observe(_state.Logs.LatestTimestamp);
            if (Corruption is { } fault)
            {
                ServeCorrupt(fault);
                return;
            }
            StartWindowJournal();
            Log.Info("[{0}] recovered: mirror log {1}, device log {2}, delivered through {3}{4}",
                _device, _state.Logs.MirrorLog, _state.Logs.DeviceLog, _state.DeliveredThrough, _state.IsDiverged ? ", DIVERGED" : "");
        });

        Command<SubmitCommand>(submit => Write(_state.Decide(submit, _clock.Now(), _settings), submit.Issuer));
        Command<CancelCommand>(cancel => Write(_state.Decide(cancel, _clock.Now()), cancel.Issuer));
        Command<AppendDeviceEntries>(HandleAppend);
        Command<ConfirmDelivery>(confirm => PersistThenReply(_state.Decide(confirm)));
        Command<MarkDiverged>(HandleMarkDiverged);
        Command<RecordHeartbeat>(record => RecordWindowEvent(record.Heartbeat));
        Command<RecordSession>(record => RecordWindowEvent(record.Session));
        Command<WindowsRecovered>(recovered =>
        {
            _windows = recovered.History;
            PostSummary();
            Stash.UnstashAll();
        });
        Command<Terminated>(WindowJournalStopped);
        Command<GetCommandStatus>(HandleGetCommandStatus);
        Command<GetWindows>(query => WhenWindowsKnown(windows => Sender.Tell(new WindowList(windows.WindowCount, windows.Last(query.Last)))));
        Command<GetSyncView>(_ => Sender.Tell(_state.Logs.View));
        Command<GetJournalState>(_ => WhenWindowsKnown(_ => Sender.Tell(QueriedState)));
        Command<ReadLogRange>(read => ReadLog(read.Log, read.FromSequence, read.MaxEntries).PipeTo(Sender, success: entries => new LogRange(entries)));
    }

    /// <summary>The journal of <paramref name="device"/>; it posts the device's summary to <paramref name="board"/> (none: to no board) whenever it changes.</summary>
    public static Props Props(DeviceId device, StateJournalSettings settings, IWallClock wall, DeviceBoard? board = null) =>
        Akka.Actor.Props.Create(() => new StateJournal(device, settings, wall, board));

    public override string PersistenceId => PersistenceIdPrefix + _device.Value;

    protected override string DeviceLabel => _device.Value;

    protected override object SnapshotState => _state;

    /// <summary>The state with the window history the child holds (a snapshot holds only what this journal's own events make).</summary>
    protected override object QueriedState => _windows is { WindowCount: > 0 } windows ? _state with { Windows = windows } : _state;

    protected override LogPair Logs => _state.Logs;

    /// <summary>An event replayed in recovery, applied only while the journal checks out (<see cref="RecoveryCheck"/>).</summary>
    private void Recovered(object @event)
    {
        if (CheckRecovered(@event, _state.Logs))
            _state = _state.Apply(@event, LastSequenceNr);
    }

    /// <summary>
    /// The journal failed its recovery check: alert once, then answer everything at once from what
    /// was recovered before the fault (<see cref="StateJournalState.CorruptAnswer"/>), writing nothing.
    /// </summary>
    private void ServeCorrupt(RecoveryFault fault)
    {
        _state = _state with { Corruption = fault };
        PostSummary();
        Log.Error("[{0}] ALERT the device's journal is corrupt: {1}; the device is marked corrupt and nothing is served or written for it",
            _device, fault.Describe());
        Become(() => CommandAny(request =>
        {
            if (request is SubmitCommand or CancelCommand)
                Log.Warning("[{0}] request refused: the device's journal is corrupt", _device);
            // Its own messages (a timer, a failure bounced back) are not requests; answering them would loop.
            if (!Sender.Equals(Self) && !Sender.IsNobody())
                Sender.Tell(_state.CorruptAnswer(request));
        }));
    }

    /// <summary>A recovery that failed outright: <see cref="StateJournals"/> answers for the device from now on (this actor stops; its supervisor passes the word up).</summary>
    protected override JournalSupervisorMessages.IJournalGaveUp GaveUp(RecoveryFault fault) => new StateJournalEntity.Unrecoverable(_device, fault);

    private void StartWindowJournal()
    {
        _windowJournal = Context.Watch(Context.ActorOf(WindowHistoryJournal.Props(_device, _settings.Retention, _state.Windows), "window-history"));
    }

    /// <summary>
    /// Hands a window event to the child, which persists it; the reply follows its
    /// <see cref="WindowsChanged"/>. Until then every other message waits, as it would for an event
    /// this actor persists itself: whoever records a window and then asks sees it.
    /// </summary>
    private void RecordWindowEvent(object @event)
    {
        if (_windowJournal.IsNobody())
            StartWindowJournal();
        _windowJournal.Forward(new WindowHistoryJournalMessages.RecordWindowEvent(@event));
        _awaitingWindowJournal = true;
        BecomeStacked(AwaitingWindowJournal);
    }

    private void AwaitingWindowJournal()
    {
        Command<WindowsChanged>(changed =>
        {
            _windows = changed.History;
            PostSummary();
            changed.ReplyTo.Tell(Acknowledged.Instance);
            if (changed.Event is SessionRecorded session && changed.History.LastSession?.SessionId == session.SessionId)
            {
                if (changed.History.Mismatch is { } mismatch && session.Outcome == nameof(Sync.ExchangeOutcome.DigestMismatch))
                    Log.Error("[{0}] ALERT session {1}: both sides hold the same logs but their state digests differ ({2}); the device is marked mismatch until an exchange agrees again",
                        _device, session.SessionId, mismatch);
                if (changed.History.RepeatedSessionFailure is { } failure)
                    Log.Warning("[{0}] sessions keep failing the same way (the last two): {1}", _device, failure);
            }
            GoOn();
        });
        Command<WindowsRecovered>(recovered =>
        {
            _windows = recovered.History;
            PostSummary();
        });
        Command<WindowEventNotWritten>(_ => GoOn());
        Command<Terminated>(WindowJournalStopped);
        CommandAny(_ => Stash.Stash());
    }

    /// <summary>
    /// A failed write or recovery stopped the child (an asker was told); the next window event starts
    /// it again, recovering from its journal. Questions never wait on a child that did not recover:
    /// until it does, they are answered from the window events this journal holds, if any.
    /// </summary>
    private void WindowJournalStopped(Terminated terminated)
    {
        if (!terminated.ActorRef.Equals(_windowJournal))
            return;
        _windowJournal = ActorRefs.Nobody;
        if (_windows is null)
        {
            Log.Warning("[{0}] the window history journal stopped before it recovered; windows are answered from this journal's own until the next window event starts it again", _device);
            _windows = _state.Windows ?? WindowHistory.Empty;
            PostSummary();
        }
        GoOn();
    }

    /// <summary>Back from <see cref="AwaitingWindowJournal"/> (a no-op when not in it), with what waited.</summary>
    private void GoOn()
    {
        if (_awaitingWindowJournal)
        {
            _awaitingWindowJournal = false;
            UnbecomeStacked();
        }
        Stash.UnstashAll();
    }

    /// <summary>Answers at once when the child has recovered the window history; until then the question waits.</summary>
    private void WhenWindowsKnown(Action<WindowHistory> answer)
    {
        if (_windows is { } windows)
            answer(windows);
        else
            Stash.Stash();
    }

    /// <summary>A submission or cancellation: the entry written, then <see cref="Submitted"/>; or the refusal at once.</summary>
    private void Write(StateJournalDecision<object> decision, string issuer)
    {
        if (decision.Reply is SubmitRefused refused)
            Log.Warning("[{0}] refused command from {1}: {2}", _device, issuer, refused.Reason);
        PersistThenReply(decision);
    }

    private void HandleAppend(AppendDeviceEntries append)
    {
        var decision = _state.Decide(append);
        var check = decision.Reply;
        var replyTo = Sender;
        if (check.IsRejection)
        {
            Log.Warning("[{0}] ALERT refused device entries: {1}", _device, check);
            replyTo.Tell(AppendAnswer.Of(check, _state.Logs.View));
            return;
        }
        PersistAll(decision.Events, appended =>
        {
            Apply(appended);
            _clock.Observe(((EntryAppended)appended).Entry.Timestamp);
        });
        DeferAsync(check, _ =>
        {
            if (check.NewEntries.Count > 0)
                Log.Info("[{0}] stored device entries {1}..{2}", _device, check.NewEntries[0].Sequence, check.NewEntries[^1].Sequence);
            replyTo.Tell(AppendAnswer.Of(check, _state.Logs.View));
        });
    }

    private void HandleMarkDiverged(MarkDiverged mark)
    {
        Log.Error("[{0}] ALERT device diverged in the {1} log: {2} at {3}: {4}; syncing stops until an operator acts",
            _device, mark.Log, mark.Verdict, mark.Sequence, mark.Detail);
        PersistThenReply(_state.Decide(mark, _clock.Now().WallMs));
    }

    /// <summary>Persists what was decided, then replies; replies at once when there is nothing to write.</summary>
    private void PersistThenReply<TReply>(StateJournalDecision<TReply> decision) where TReply : notnull
    {
        var caller = Sender;
        if (decision.WritesNothing)
        {
            caller.Tell(decision.Reply);
            return;
        }
        var remaining = decision.Events.Length;
        PersistAll(decision.Events, written =>
        {
            Apply(written);
            if (written is EntryAppended { Entry: var entry })
                Log.Info("[{0}] wrote mirror entry {1} ({2}) for {3}", _device, entry.Sequence, entry.Kind, entry.Issuer);
            else
                Log.Debug("[{0}] recorded {1}", _device, written);
            if (--remaining == 0)
                caller.Tell(decision.Reply);
        });
    }

    private void HandleGetCommandStatus(GetCommandStatus query)
    {
        var status = _state.StatusOf(query.Sequence);
        if (status == CommandStatus.Unknown)
        {
            Sender.Tell(new CommandStatusReply(query.Sequence, status, null, null));
            return;
        }
        var logs = _state.Logs;
        var target = new CommandRef(Origin.Mirror, query.Sequence);
        var commandRead = ReadLog(Origin.Mirror, query.Sequence, 1);
        // FindResult reads on after an await, off the actor's thread: commandRead above created the reader here.
        var resultRead = status == CommandStatus.Resolved
            ? FindResult(logs, target)
            : Task.FromResult<LogEntry?>(null);
        Task.WhenAll(commandRead, resultRead).ContinueWith(
            _ => StateJournalState.StatusReply(query.Sequence, status, commandRead.Result.Single(), resultRead.Result),
            TaskContinuationOptions.ExecuteSynchronously).PipeTo(Sender);
    }

    /// <summary>A resolved outcome lives only in the device log: scan the replica for the result entry.</summary>
    private async Task<LogEntry?> FindResult(LogPair logs, CommandRef target)
    {
        const int page = 1024;
        for (long from = 1; from <= logs.DeviceLog.Length; from += page)
        {
            var entries = await ReadLog(Origin.Device, from, page, logs);
            var result = entries.FirstOrDefault(e => e.Kind == EntryKind.Result && e.Target == target);
            if (result is not null)
                return result;
        }
        return null;
    }

    private void Apply(object @event)
    {
        _state = _state.Apply(@event, LastSequenceNr);
        Context.System.EventStream.Publish(new JournalWritten(_device, @event, _state.Logs.View));
        PostSummary();
        SnapshotIfDue();
    }

    /// <summary>
    /// The device's summary to the board when it changed: before the reply to what changed it, and only once the window
    /// history is known (a summary without it would show the device never seen), or the journal is corrupt.
    /// </summary>
    private void PostSummary()
    {
        if (_board is null || (_windows is null && _state.Corruption is null))
            return;
        var summary = DeviceSummary.Of((StateJournalState)QueriedState);
        if (summary == _posted)
            return;
        _posted = summary;
        _board.Post(summary);
    }
}
