using System.Collections.Immutable;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Sync;
using static IoTSync.Device.CommandRecorderEvents;
using static IoTSync.Device.CommandRecorderMessages;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Testing.Sync;

/// <summary>Reads a range of one log back from a journal the way the actors' JournalLogReader does.</summary>
internal static class JournalReads
{
    public static IReadOnlyList<LogEntry> Range(InMemoryJournal journal, Origin origin, long fromSequence, int maxEntries, long heldLength)
    {
        var last = Math.Min(heldLength, fromSequence + (long)maxEntries - 1);
        if (fromSequence < 1 || fromSequence > last)
            return [];
        return [.. journal.Entries(origin).Where(e => e.Sequence >= fromSequence).TakeWhile(e => e.Sequence <= last)];
    }
}

/// <summary>
/// The mirror's side of an exchange over the real pure <see cref="StateJournalState"/> and an
/// <see cref="InMemoryJournal"/>: every write is what the state's <c>Decide</c> gives, the same
/// functions the <see cref="StateJournal"/> calls. Constructing one replays the journal: that is a restart.
/// </summary>
public sealed class InMemoryMirrorSide : IMirrorSide
{
    private readonly HybridLogicalClock _clock;
    private readonly IWallClock _wall;

    public InMemoryMirrorSide(DeviceId device, InMemoryJournal journal, IWallClock wall)
    {
        Device = device;
        Journal = journal;
        _wall = wall;
        State = StateJournalState.Empty(device);
        var sequenceNr = 0L;
        foreach (var @event in journal.Events)
            State = State.Apply(@event, ++sequenceNr);
        _clock = new HybridLogicalClock(wall);
        _clock.Observe(State.Logs.LatestTimestamp);
    }

    public DeviceId Device { get; }

    public InMemoryJournal Journal { get; }

    public StateJournalState State { get; private set; }

    /// <summary>The limits submissions are held to, as the StateJournal's settings give them.</summary>
    public StateJournalSettings Limits { get; set; } = StateJournalSettings.Default;

    public const string Issuer = "operator";

    // --- writes of the mirror log, decided as StateJournal decides them ---

    public LogEntry Submit(IEnumerable<string> argv, long? notAfterUnixMs = null, string issuer = Issuer) =>
        Written(State.Decide(new SubmitCommand(Device, [.. argv], issuer, notAfterUnixMs), _clock.Now(), Limits));

    public LogEntry Submit(params string[] argv) => Submit(argv, null);

    public LogEntry Set(string key, string value) => Submit(PropertyCommand.Set, key, value);

    public LogEntry Unset(string key) => Submit(PropertyCommand.Unset, key);

    public LogEntry Cancel(long mirrorSequence, string issuer = Issuer) =>
        Written(State.Decide(new CancelCommand(Device, mirrorSequence, issuer), _clock.Now()));

    /// <summary>Stores any entry as the next of the mirror log, unchecked: for tampering tests only.</summary>
    public LogEntry WriteRaw(Func<LogPosition, HlcTimestamp, LogEntry> make)
    {
        var entry = make(State.Logs.MirrorLog, _clock.Now());
        Persist(new EntryAppended(entry));
        return entry;
    }

    private LogEntry Written(StateJournalDecision<object> decision)
    {
        PersistAll(decision);
        return decision.Reply switch
        {
            Submitted submitted => submitted.Entry,
            SubmitRefused refused => throw new InvalidOperationException(refused.Reason),
            var other => throw new InvalidOperationException($"unexpected reply {other}"),
        };
    }

    private void PersistAll<TReply>(StateJournalDecision<TReply> decision)
    {
        foreach (var @event in decision.Events)
            Persist(@event);
    }

    private void Persist(object @event)
    {
        var sequenceNr = Journal.Persist(@event);
        State = State.Apply(@event, sequenceNr);
    }

    // --- IMirrorSide ---

    public Task<SyncView> GetView(CancellationToken cancellationToken) => Task.FromResult(State.Logs.View);

    public Task<string?> Divergence(CancellationToken cancellationToken) => Task.FromResult(State.Divergence?.Describe());

    public Task<IReadOnlyList<LogEntry>> ReadMirrorLog(long fromSequence, int maxEntries, CancellationToken cancellationToken) =>
        Task.FromResult(JournalReads.Range(Journal, Origin.Mirror, fromSequence, maxEntries, State.Logs.MirrorLog.Length));

    public Task<AppendResult> AppendDeviceEntries(IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken)
    {
        var decision = State.Decide(new StateJournalMessages.AppendDeviceEntries(Device, [.. entries]));
        foreach (var @event in decision.Events)
        {
            Persist(@event);
            _clock.Observe(((EntryAppended)@event).Entry.Timestamp);
        }
        return Task.FromResult(new AppendResult(decision.Reply, State.Logs.View));
    }

    public Task ConfirmDelivery(LogPosition mirrorLogAtDevice, CancellationToken cancellationToken)
    {
        PersistAll(State.Decide(new StateJournalMessages.ConfirmDelivery(Device, mirrorLogAtDevice)));
        return Task.CompletedTask;
    }

    public Task MarkDiverged(Origin log, ChainCheck reason, CancellationToken cancellationToken)
    {
        PersistAll(State.Decide(new StateJournalMessages.MarkDiverged(Device, log, reason.Verdict, reason.Sequence, reason.Detail), _clock.Now().WallMs));
        return Task.CompletedTask;
    }

    public IReadOnlyList<LogEntry> MirrorLog => Journal.Entries(Origin.Mirror);

    public IReadOnlyList<LogEntry> DeviceLogReplica => Journal.Entries(Origin.Device);
}

/// <summary>Where the device side dies while it deals with a command.</summary>
public enum DeviceCrashPoint
{
    /// <summary>After CommandStarted is durable, before the runner is called.</summary>
    AfterStarted,

    /// <summary>After the runner returned, before the result entry is durable.</summary>
    AfterRun,
}

/// <summary>
/// The device's side of an exchange over the real pure <see cref="CommandRecorderState"/> and an
/// <see cref="InMemoryJournal"/>: what to record and what to do next come from the state's
/// <c>Decide</c> and <see cref="CommandRecorderState.NextStep"/>, the functions the
/// <see cref="CommandRecorder"/> calls; each command run is marked started before it runs. Use
/// <see cref="Start"/>: like the actor after recovery, it first deals with what was left open.
/// </summary>
public sealed class InMemoryDeviceSide : IDeviceSide
{
    public const string Issuer = "device";

    private readonly IWallClock _wall;
    private readonly HybridLogicalClock _clock;
    private readonly ICommandRunner _runner;
    private readonly ImmutableHashSet<CommandRef> _openAtRecovery;
    private bool _logConfirmed;
    private bool _dead;

    private InMemoryDeviceSide(DeviceId device, InMemoryJournal journal, IWallClock wall, ICommandRunner runner)
    {
        Journal = journal;
        _wall = wall;
        _runner = runner;
        State = CommandRecorderState.Empty(device);
        var sequenceNr = 0L;
        foreach (var @event in journal.Events)
            State = State.Apply(@event, ++sequenceNr);
        _clock = new HybridLogicalClock(wall);
        _clock.Observe(State.Logs.LatestTimestamp);
        _openAtRecovery = State.OpenAtRecovery();
    }

    /// <summary>Recovers from the journal, then deals with the commands left open (as CommandRecorder.OnRecovered does).</summary>
    public static async Task<InMemoryDeviceSide> Start(DeviceId device, InMemoryJournal journal, IWallClock wall, ICommandRunner runner)
    {
        var side = new InMemoryDeviceSide(device, journal, wall, runner);
        await side.WorkOnOpenCommands(CancellationToken.None);
        return side;
    }

    public InMemoryJournal Journal { get; }

    public CommandRecorderState State { get; private set; }

    /// <summary>When set, the side dies at this point while dealing with this command.</summary>
    public (CommandRef Command, DeviceCrashPoint Point)? CrashPlan { get; set; }

    /// <summary>Every decision taken, in order: what the device decided for which command.</summary>
    public List<(CommandRef Command, CommandDecision Decision)> Decisions { get; } = [];

    public IReadOnlyList<LogEntry> DeviceLog => Journal.Entries(Origin.Device);

    public IReadOnlyList<LogEntry> MirrorLogReplica => Journal.Entries(Origin.Mirror);

    // --- local writes, like the exec CLI ---

    /// <summary>Records a local command and, for a device command, deals with it; returns the command entry and its result.</summary>
    public async Task<(LogEntry Command, LogEntry? Result)> Exec(params string[] argv)
    {
        Alive();
        var (refusal, recorded) = State.Decide(new RecordCommand([.. argv], Issuer), _clock.Now());
        if (recorded is null)
            throw new ArgumentException(refusal);
        Persist(recorded);
        var entry = recorded.Entry;
        if (!PropertyCommand.IsDeviceCommand(entry.Argv))
            return (entry, null);
        await WorkOnOpenCommands(CancellationToken.None);
        return (entry, DeviceLog.SingleOrDefault(e => e.Kind == EntryKind.Result && e.Target == entry.Ref));
    }

    public Task<(LogEntry Command, LogEntry? Result)> Set(string key, string value) => Exec(PropertyCommand.Set, key, value);

    /// <summary>Stores any entry as the next of the device log, unchecked: for tampering tests only.</summary>
    public LogEntry WriteRaw(Func<LogPosition, HlcTimestamp, LogEntry> make)
    {
        Alive();
        var entry = make(State.Logs.DeviceLog, _clock.Now());
        Persist(new EntryAppended(entry));
        return entry;
    }

    // --- IDeviceSide ---

    public Task<SyncView> GetView(CancellationToken cancellationToken)
    {
        Alive();
        return Task.FromResult(State.Logs.View);
    }

    public async Task<AppendResult> AppendMirrorEntries(IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken)
    {
        Alive();
        var check = State.Logs.Check(Origin.Mirror, entries);
        if (check.IsRejection)
            return new AppendResult(check, State.Logs.View);
        foreach (var entry in check.NewEntries)
        {
            Persist(new EntryAppended(entry));
            _clock.Observe(entry.Timestamp);
        }
        await WorkOnOpenCommands(cancellationToken);
        return new AppendResult(check, State.Logs.View);
    }

    public async Task LogConfirmed(CancellationToken cancellationToken)
    {
        Alive();
        _logConfirmed = true;
        await WorkOnOpenCommands(cancellationToken);
    }

    public Task<IReadOnlyList<LogEntry>> ReadDeviceLog(long fromSequence, int maxEntries, CancellationToken cancellationToken)
    {
        Alive();
        return Task.FromResult(JournalReads.Range(Journal, Origin.Device, fromSequence, maxEntries, State.Logs.DeviceLog.Length));
    }

    /// <summary>Takes every next step in order, as CommandRecorder.WorkOnNext does one after another.</summary>
    private async Task WorkOnOpenCommands(CancellationToken cancellationToken)
    {
        while (State.NextStep(_wall.UtcNowMs, _openAtRecovery, _logConfirmed) is var (next, decision))
        {
            Decisions.Add((next.Ref, decision));
            if (decision == CommandDecision.LearnOutcome)
            {
                RecordResult(next.Ref, CommandRecorderState.OutcomeAtRecovery(await _runner.OutcomeAfterRestart(next.Ref, cancellationToken)));
                continue;
            }
            if (decision != CommandDecision.Run)
            {
                RecordResult(next.Ref, CommandRecorderState.ResultFor(decision));
                continue;
            }
            Persist(new CommandStarted(next.Ref));
            CrashIfPlanned(next.Ref, DeviceCrashPoint.AfterStarted);
            ResultFields result;
            try
            {
                result = await _runner.Run(next.Ref, next.Argv, cancellationToken);
            }
            catch (Exception e) when (e is not SimulatedCrashException)
            {
                result = CommandRecorderState.CouldNotRun(e.GetBaseException().Message);
            }
            CrashIfPlanned(next.Ref, DeviceCrashPoint.AfterRun);
            RecordResult(next.Ref, result);
        }
    }

    private void RecordResult(CommandRef command, ResultFields result) =>
        Persist(new EntryAppended(State.NewResult(_clock.Now(), Issuer, command, result)));

    private void CrashIfPlanned(CommandRef command, DeviceCrashPoint point)
    {
        if (CrashPlan is { } plan && plan.Command == command && plan.Point == point)
        {
            _dead = true;
            throw new SimulatedCrashException($"device died {point} of {command}");
        }
    }

    private void Persist(object @event)
    {
        var sequenceNr = Journal.Persist(@event);
        State = State.Apply(@event, sequenceNr);
    }

    private void Alive()
    {
        if (_dead)
            throw new InvalidOperationException("this device side crashed; start a new one from its journal");
    }
}
