using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using IoTSync.Logs;
using IoTSync.Model;
using static IoTSync.Device.CommandRecorderEvents;
using static IoTSync.Device.CommandRecorderMessages;
using static IoTSync.Logs.LogHolderMessages;

namespace IoTSync.Device;

/// <summary>
/// The device's persistent actor and the sole writer of the device log. Holds the replica of the
/// mirror log, records local commands, runs device commands one at a time in log order (mirror's
/// first) and records a result for each. A command is marked started before it runs, so a crash
/// never runs it twice: a restart records the outcome its runner kept outside the node, or
/// interrupted when there is none. What to record and what to
/// do next is decided by <see cref="CommandRecorderState"/>; the actor persists, runs, replies and keeps the timers.
/// A journal that fails its recovery check (<see cref="RecoveryCheck"/>) runs nothing and answers only
/// <see cref="CorruptJournalException"/>, which stops the node at start.
/// </summary>
public sealed class CommandRecorder : LogHoldingActor
{
    public const string PersistenceIdPrefix = "command-recorder-";

    private sealed record CommandFinished(CommandRef Command, ResultFields Result);

    private sealed record BudgetElapsed(Guid Waiter);

    private sealed record WorkNext
    {
        public static WorkNext Instance { get; } = new();
    }

    /// <summary>An exchange waiting for the commands of the batch it delivered.</summary>
    private sealed record AppendWaiter(Guid Id, IActorRef ReplyTo, ChainCheck Check, long ThroughMirrorSequence, ICancelable Budget);

    private readonly DeviceId _device;
    private readonly CommandRecorderSettings _settings;
    private readonly ICommandRunner _runner;
    private readonly IWallClock _wall;
    private readonly HybridLogicalClock _clock;
    private readonly Dictionary<CommandRef, (IActorRef Caller, LogEntry Command)> _callers = new();
    private readonly List<AppendWaiter> _appendWaiters = [];
    private ImmutableHashSet<CommandRef> _openAtRecovery = [];
    private bool _logConfirmed;
    private CommandRecorderState _state;
    private CommandRef? _busyWith;

    private readonly Security.Refusals _refusals;

    public CommandRecorder(DeviceId device, CommandRecorderSettings settings, ICommandRunner runner, IWallClock wall, Security.Refusals? refusals = null)
        : base(settings.Journal)
    {
        _refusals = refusals ?? new Security.Refusals();
        _device = device;
        _settings = settings;
        _runner = runner;
        _wall = wall;
        _clock = new HybridLogicalClock(wall);
        _state = CommandRecorderState.Empty(device);

        Recover<SnapshotOffer>(offer =>
        {
            if (CheckRecovered(offer, ((CommandRecorderState)offer.Snapshot).Logs))
                _state = (CommandRecorderState)offer.Snapshot;
        });
        Recover<EntryAppended>(Recovered);
        Recover<CommandStarted>(Recovered);
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<RecordCommand>(HandleRecordCommand);
        Command<AppendMirrorEntries>(HandleAppend);
        Command<WorkNext>(_ => WorkOnNext());
        Command<LogConfirmedByMirror>(_ => OnLogConfirmed());
        Command<CommandFinished>(finished => RecordResult(finished.Command, finished.Result));
        Command<BudgetElapsed>(elapsed => ReplyToWaiters(w => w.Id == elapsed.Waiter));
    }

    public static Props Props(DeviceId device, CommandRecorderSettings settings, ICommandRunner runner, IWallClock wall, Security.Refusals? refusals = null) =>
        Akka.Actor.Props.Create(() => new CommandRecorder(device, settings, runner, wall, refusals));

    public override string PersistenceId => PersistenceIdPrefix + _device.Value;

    protected override string DeviceLabel => _device.Value;

    protected override object SnapshotState => _state;

    protected override LogPair Logs => _state.Logs;

    /// <summary>An event replayed in recovery, applied only while the journal checks out (<see cref="RecoveryCheck"/>).</summary>
    private void Recovered(object @event)
    {
        if (CheckRecovered(@event, _state.Logs))
            _state = _state.Apply(@event, LastSequenceNr);
    }

    private void OnRecovered()
    {
        _clock.Observe(_state.Logs.LatestTimestamp);
        if (Corruption is { } fault)
        {
            // Nothing runs and nothing is answered but the fault: the node stops at start on it.
            var corrupt = new CorruptJournalException(PersistenceId, fault);
            Log.Error("[{0}] ALERT {1}", _device, corrupt.Message);
            // A message of its own (a failure bounced back, a timer) is not a request: answering it would
            // send the failure to itself round and round, and its last lap would reach the dead letters
            // at shutdown with the exception's stack trace.
            Become(() => CommandAny(_ =>
            {
                if (!Sender.Equals(Self) && !Sender.IsNobody())
                    Sender.Tell(new Status.Failure(corrupt));
            }));
            return;
        }
        _openAtRecovery = _state.OpenAtRecovery();
        Log.Info("[{0}] recovered: device log {1}, mirror log {2}, {3} open commands",
            _device, _state.Logs.DeviceLog, _state.Logs.MirrorLog, _openAtRecovery.Count);
        var awaiting = _state.OpenCommands.Count(c => _state.AwaitsMirror(c, _openAtRecovery));
        if (awaiting > 0)
            Log.Info("[{0}] {1} mirror command(s) open since before the restart wait for the mirror to confirm the device log in the next exchange", _device, awaiting);
        Self.Tell(WorkNext.Instance);
    }

    private void OnLogConfirmed()
    {
        if (_logConfirmed)
            return;
        _logConfirmed = true;
        WorkOnNext();
    }

    private void HandleRecordCommand(RecordCommand record)
    {
        var (refusal, recorded) = _state.Decide(record, _clock.Now(), _settings.Journal.MaxEntryBytes);
        if (recorded is null)
        {
            Sender.Tell(new Status.Failure(new ArgumentException(refusal)));
            return;
        }
        var entry = recorded.Entry;
        var caller = Sender;
        Persist(recorded, appended =>
        {
            Apply(appended);
            Log.Info("[{0}] recorded local command {1}: {2}", _device, entry.Ref, string.Join(' ', entry.Argv));
            if (PropertyCommand.IsDeviceCommand(entry.Argv))
            {
                _callers[entry.Ref] = (caller, entry);
                WorkOnNext();
            }
            else
            {
                caller.Tell(new CommandCompleted(entry, null));
            }
        });
    }

    private void HandleAppend(AppendMirrorEntries append)
    {
        var check = _state.Logs.Check(Origin.Mirror, append.Entries);
        var replyTo = Sender;
        Log.Debug("[{0}] offered mirror entries {1}..{2}: {3}", _device, append.Entries.FirstOrDefault()?.Sequence, append.Entries.LastOrDefault()?.Sequence, check);
        if (check.IsRejection)
        {
            _refusals.Count(Security.Refusals.ForVerdict(check.Verdict) ?? Security.Refusals.BatchMalformed);
            Log.Warning("[{0}] refused mirror entries: {1}", _device, check);
            replyTo.Tell(AppendAnswer.Of(check, _state.Logs.View));
            return;
        }
        var through = append.Entries[^1].Sequence;
        if (check.NewEntries.Count == 0)
        {
            AwaitCommandsThrough(through, check, replyTo);
            return;
        }
        // Work starts from the last event's handler, not from DeferAsync: a Persist issued inside a
        // DeferAsync handler left the actor stashing its mailbox for good (seen with Akka 1.5.74).
        var remaining = check.NewEntries.Count;
        PersistAll(check.NewEntries.Select(e => new EntryAppended(e)), appended =>
        {
            Apply(appended);
            _clock.Observe(appended.Entry.Timestamp);
            if (--remaining > 0)
                return;
            Log.Info("[{0}] stored mirror entries {1}..{2}", _device, check.NewEntries[0].Sequence, through);
            AwaitCommandsThrough(through, check, replyTo);
        });
    }

    /// <summary>Answers the exchange once the commands up to <paramref name="through"/> are dealt with, or the budget runs out.</summary>
    private void AwaitCommandsThrough(long through, ChainCheck check, IActorRef replyTo)
    {
        var id = Guid.NewGuid();
        var budget = Context.System.Scheduler.ScheduleTellOnceCancelable(_settings.ExecutionBudget, Self, new BudgetElapsed(id), Self);
        _appendWaiters.Add(new AppendWaiter(id, replyTo, check, through, budget));
        WorkOnNext();
        ReplyToWaiters(DoneWith);
    }

    /// <summary>Deals with the first open command, unless one is already in hand.</summary>
    private void WorkOnNext()
    {
        if (_busyWith is not null || _state.NextStep(_wall.UtcNowMs, _openAtRecovery, _logConfirmed) is not var (next, decision))
            return;
        _busyWith = next.Ref;
        if (decision == CommandDecision.LearnOutcome)
        {
            LearnOutcome(next.Ref);
            return;
        }
        if (decision != CommandDecision.Run)
        {
            Log.Info("[{0}] command {1} not run: {2}", _device, next.Ref, decision);
            RecordResult(next.Ref, CommandRecorderState.ResultFor(decision));
            return;
        }
        Persist(new CommandStarted(next.Ref), started =>
        {
            Apply(started);
            Log.Info("[{0}] running {1}: {2}", _device, next.Ref, string.Join(' ', next.Argv));
            _runner.Run(next.Ref, next.Argv, CancellationToken.None).ContinueWith(run => run.IsCompletedSuccessfully
                    ? new CommandFinished(next.Ref, run.Result)
                    : new CommandFinished(next.Ref, CommandRecorderState.CouldNotRun(run.Exception?.GetBaseException().Message ?? "cancelled")))
                .PipeTo(Self);
        });
    }

    /// <summary>A command started before the restart: its runner's record, waiting while the runner still runs it.</summary>
    private void LearnOutcome(CommandRef command)
    {
        Log.Info("[{0}] command {1} was started before the restart: its outcome from the runner's record", _device, command);
        _runner.OutcomeAfterRestart(command, CancellationToken.None).ContinueWith(learnt =>
                new CommandFinished(command, CommandRecorderState.OutcomeAtRecovery(learnt.IsCompletedSuccessfully ? learnt.Result : null)))
            .PipeTo(Self);
    }

    private void RecordResult(CommandRef command, ResultFields result)
    {
        var entry = _state.NewResult(_clock.Now(), _settings.Issuer, command, result, _settings.Journal.MaxEntryBytes);
        Persist(new EntryAppended(entry), appended =>
        {
            Apply(appended);
            _busyWith = null;
            Forget(command);
            // A refusal's output is the device's reason (the allow-list, say): short, and the operator's first question.
            Log.Info("[{0}] result of {1}: {2}, exit {3}, {4} ms{5}", _device, command, result.Outcome, result.ExitCode, result.DurationMs,
                result.Outcome == CommandOutcome.Refused ? $" ({result.Output})" : "");
            if (_callers.Remove(command, out var caller))
                caller.Caller.Tell(new CommandCompleted(caller.Command, entry));
            ReplyToWaiters(DoneWith);
            WorkOnNext();
        });
    }

    /// <summary>
    /// An <c>exec</c> waiting on a command already recorded is told so, with the fault: its start or result
    /// was not written, and the restarted recorder records its outcome (it must not be issued again). The
    /// exchanges waiting get the fault.
    /// </summary>
    protected override bool OnJournalFailed(string fault, IActorRef caller)
    {
        var callerAnswered = false;
        foreach (var (waiting, command) in _callers.Values)
        {
            waiting.Tell(new Status.Failure(new JournalUnavailableException(RecordedButUnfinished(command.Ref, fault))));
            callerAnswered |= waiting.Equals(caller);
        }
        _callers.Clear();
        var failure = new Status.Failure(new JournalUnavailableException(fault));
        foreach (var waiter in _appendWaiters.Where(w => !w.ReplyTo.Equals(caller)))
        {
            waiter.Budget.Cancel();
            waiter.ReplyTo.Tell(failure);
        }
        _appendWaiters.Clear();
        return callerAnswered;
    }

    /// <summary>What an <c>exec</c> whose command was recorded hears when the journal fails before its outcome is written.</summary>
    public static string RecordedButUnfinished(CommandRef command, string fault) =>
        $"recorded as {command}, but the journal stopped before its outcome was written ({fault}); the outcome is recorded when the journal is back: do not issue it again";

    private void Forget(CommandRef command)
    {
        try
        {
            _runner.Forget(command);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The result is in the journal; a spool record left behind is removed before the name is used again.
            Log.Warning("[{0}] could not remove the runner's record of {1}: {2}", _device, command, e.Message);
        }
    }

    private bool DoneWith(AppendWaiter waiter) => _state.DoneThrough(waiter.ThroughMirrorSequence);

    private void ReplyToWaiters(Func<AppendWaiter, bool> ready)
    {
        foreach (var waiter in _appendWaiters.Where(ready).ToList())
        {
            waiter.Budget.Cancel();
            _appendWaiters.Remove(waiter);
            Log.Debug("[{0}] answering the exchange for mirror entries through {1}", _device, waiter.ThroughMirrorSequence);
            waiter.ReplyTo.Tell(AppendAnswer.Of(waiter.Check, _state.Logs.View));
        }
    }

    private void Apply(object @event)
    {
        _state = _state.Apply(@event, LastSequenceNr);
        SnapshotIfDue();
    }
}
