using System.Collections.Immutable;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Serialization;
using static IoTSync.Device.CommandRecorderEvents;
using static IoTSync.Device.CommandRecorderMessages;

namespace IoTSync.Device;

/// <summary>What the device must do with one open command, decided before anything runs.</summary>
public enum CommandDecision
{
    Run,
    RecordCancelled,
    RecordExpired,
    RecordInterrupted,

    /// <summary>Started before the node restarted: its outcome is what the runner recorded (<see cref="CommandRecorderState.OutcomeAtRecovery"/>), never a second run.</summary>
    LearnOutcome,
}

/// <summary>
/// The device's state: both logs (the device log it writes, its replica of the mirror log) and
/// which device commands have started. Pure: it decides what to record (<see cref="Decide(RecordCommand, HlcTimestamp, int)"/>)
/// and what to do next (<see cref="NextStep"/>), and every change goes through <see cref="Apply"/>,
/// both when an event is persisted and in recovery. The actor and the tests' in-memory device call the same functions.
/// </summary>
public sealed record CommandRecorderState(LogPair Logs, ImmutableSortedSet<CommandRef> Started) : IIoTSyncMessage
{
    public static CommandRecorderState Empty(DeviceId device) => new(LogPair.Empty(device), []);

    public DeviceId Device => Logs.Device;

    public CommandRecorderState Apply(object @event, long journalSequenceNr) => @event switch
    {
        EntryAppended { Entry: var entry } => this with
        {
            Logs = Logs.Append(entry, journalSequenceNr),
            Started = entry.Kind == EntryKind.Result ? Started.Remove(entry.Target!.Value) : Started,
        },
        CommandStarted started => this with { Started = Started.Add(started.Command) },
        _ => this,
    };

    /// <summary>Open device commands in the order they must be dealt with: mirror's first, by sequence.</summary>
    public IEnumerable<OpenCommand> OpenCommands =>
        Logs.Model.OpenCommands.Values.OrderBy(c => c.Ref.Origin == Origin.Mirror ? 0 : 1).ThenBy(c => c.Ref.Sequence);

    /// <summary>The open commands as recovery found them: after a restart these are never run as new.</summary>
    public ImmutableHashSet<CommandRef> OpenAtRecovery() => [.. OpenCommands.Select(c => c.Ref)];

    /// <summary>
    /// The next command to deal with and what to do with it, or null when none can be dealt with.
    /// <paramref name="openAtRecovery"/> is what <see cref="OpenAtRecovery"/> gave when the node came back;
    /// <paramref name="logConfirmed"/>: an exchange's hello has since shown that the mirror holds no more
    /// of the device log than the device does. Until then the commands that <see cref="AwaitsMirror"/> are passed over.
    /// </summary>
    public (OpenCommand Command, CommandDecision Decision)? NextStep(long nowUnixMs, IReadOnlySet<CommandRef> openAtRecovery, bool logConfirmed) =>
        OpenCommands.FirstOrDefault(c => logConfirmed || !AwaitsMirror(c, openAtRecovery)) is { } next
            ? (next, Decide(next, nowUnixMs, afterRestart: openAtRecovery.Contains(next.Ref)))
            : null;

    /// <summary>
    /// A mirror command open at recovery and not marked started. Its start and result may have been
    /// written and lost since (a journal that lost its last writes, a restored backup): the mirror,
    /// which pulled them, is the one to say. It is not run, nor recorded, before a hello confirms
    /// the device log; a device found behind is diverged at the mirror and runs nothing.
    /// </summary>
    public bool AwaitsMirror(OpenCommand command, IReadOnlySet<CommandRef> openAtRecovery) =>
        command.Ref.Origin == Origin.Mirror && openAtRecovery.Contains(command.Ref) && !Started.Contains(command.Ref);

    /// <summary>True when no mirror command up to <paramref name="mirrorSequence"/> is still open: an exchange that delivered them can be answered.</summary>
    public bool DoneThrough(long mirrorSequence) =>
        !Logs.Model.OpenCommands.Keys.Any(c => c.Origin == Origin.Mirror && c.Sequence <= mirrorSequence);

    /// <summary>
    /// A command given on the device: the entry to write after the device log's head, or why it
    /// is refused (<see cref="ArgumentVector.Problem"/>).
    /// </summary>
    public (string? Refusal, EntryAppended? Event) Decide(RecordCommand record, HlcTimestamp now, int maxEntryBytes = EntrySize.DefaultMaxBytes)
    {
        if (ArgumentVector.Problem(record.Argv) is { } problem)
            return (problem, null);
        var entry = NewCommand(now, record.Issuer, record.Argv);
        return EntrySize.Problem(entry, maxEntryBytes) is { } tooLarge ? ($"the command is too large: {tooLarge}", null) : (null, new EntryAppended(entry));
    }

    /// <summary>
    /// Decides what to do with an open command. <paramref name="afterRestart"/>: the node came back
    /// and must not run what a crash interrupted, nor a local command whose caller is gone. A command
    /// marked started is never run again: its outcome is learnt from the runner's record.
    /// </summary>
    public CommandDecision Decide(OpenCommand command, long nowUnixMs, bool afterRestart)
    {
        if (Started.Contains(command.Ref))
            return CommandDecision.LearnOutcome;
        if (command.Ref.Origin == Origin.Device && afterRestart)
            return CommandDecision.RecordInterrupted;
        if (command.CancelRequested)
            return CommandDecision.RecordCancelled;
        if (command.NotAfterUnixMs is { } notAfter && nowUnixMs > notAfter)
            return CommandDecision.RecordExpired;
        return CommandDecision.Run;
    }

    /// <summary>A new entry of the device log, following its head.</summary>
    public LogEntry NewCommand(HlcTimestamp timestamp, string issuer, ImmutableArray<string> argv) =>
        LogEntry.NewCommand(Logs.DeviceLog, Origin.Device, timestamp, issuer, argv);

    /// <summary>
    /// The result entry, its output cut (and marked truncated) to the longest start that keeps the
    /// entry within <paramref name="maxEntryBytes"/>: the output is what grows, escaping can make it
    /// several times its bytes, and a result must never be too large to sync.
    /// </summary>
    public LogEntry NewResult(HlcTimestamp timestamp, string issuer, CommandRef command, ResultFields result, int maxEntryBytes = EntrySize.DefaultMaxBytes)
    {
        LogEntry With(int outputLength) => LogEntry.NewResult(Logs.DeviceLog, timestamp, issuer, command, outputLength == result.Output.Length
            ? result
            : result with { Output = result.Output[..outputLength], Truncated = true });
        var whole = With(result.Output.Length);
        if (EntrySize.Of(whole) <= maxEntryBytes)
            return whole;
        var (fits, tooLong) = (0, result.Output.Length);
        while (tooLong - fits > 1)
        {
            var middle = fits + (tooLong - fits) / 2;
            if (EntrySize.Of(With(middle)) <= maxEntryBytes)
                fits = middle;
            else
                tooLong = middle;
        }
        // Never half a surrogate pair.
        if (fits > 0 && char.IsHighSurrogate(result.Output[fits - 1]))
            fits--;
        return With(fits);
    }

    /// <summary>
    /// The result to record for a command started before the restart: what its runner recorded
    /// (<paramref name="recorded"/>: it ran to an end, or was killed at its limit, while the node was
    /// dead or frozen), else — no record and no runner still running it — interrupted.
    /// </summary>
    public static ResultFields OutcomeAtRecovery(ResultFields? recorded) => recorded ?? ResultFor(CommandDecision.RecordInterrupted);

    /// <summary>The result of a command the runner could not start or finish.</summary>
    public static ResultFields CouldNotRun(string reason) => new(CommandOutcome.Failed, -1, $"could not run: {reason}", false, 0);

    public static ResultFields ResultFor(CommandDecision decision) => decision switch
    {
        CommandDecision.RecordCancelled => new ResultFields(CommandOutcome.Cancelled, -1, "cancelled by the mirror before it ran", false, 0),
        CommandDecision.RecordExpired => new ResultFields(CommandOutcome.Expired, -1, "reached the device after its not-after time; not run", false, 0),
        CommandDecision.RecordInterrupted => new ResultFields(CommandOutcome.Failed, -1, "interrupted: the device node restarted before the command finished; not run again", false, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(decision), decision, "only decisions that do not run the command have a fixed result"),
    };
}
