using System.Collections.Immutable;
using System.Text;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Serialization;
using static IoTSync.Mirror.StateJournalEvents;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Mirror;

/// <summary>Where a mirror command stands.</summary>
public enum CommandStatus
{
    /// <summary>No such mirror log entry.</summary>
    Unknown,

    /// <summary>A property operation: applied by the model, nothing to run.</summary>
    Applied,

    /// <summary>Written at the mirror; the device does not hold it yet.</summary>
    Pending,

    /// <summary>The device holds it; no result yet.</summary>
    Delivered,

    /// <summary>The device recorded a result; its entry says which outcome.</summary>
    Resolved,
}

/// <summary>
/// The mirror's state for one device: both logs (the mirror log it writes, its replica of the
/// device log), how far the device has confirmed the mirror log, whether the device diverged, and
/// its window history (<see cref="Windows"/>: null until the first heartbeat or session is recorded,
/// so a snapshot written before window history existed still decodes and still equals its replay).
/// A mirror now keeps window history in each device's <see cref="WindowHistoryJournal"/>: here
/// <see cref="Windows"/> holds only what window events an older mirror wrote into this journal made
/// (their replay, and the seed of the child's history); the actor answers with the child's.
/// Pure: <c>Decide</c> turns a command into the reply and the events to persist (the actor persists
/// them, then replies), and <see cref="Apply"/> folds each event in, when persisted and in recovery.
/// </summary>
public sealed record StateJournalState(LogPair Logs, long DeliveredThrough, DivergenceDetected? Divergence, WindowHistory? Windows = null) : IIoTSyncMessage
{
    public static StateJournalState Empty(DeviceId device) => new(LogPair.Empty(device), 0, null);

    public DeviceId Device => Logs.Device;

    public bool IsDiverged => Divergence is not null;

    /// <summary>
    /// Set (never persisted: nothing is written to such a journal) when recovery found the journal
    /// corrupt (<see cref="RecoveryCheck"/>): the device is shown <c>corrupt</c> and every request for it is refused.
    /// </summary>
    public RecoveryFault? Corruption { get; init; }

    /// <summary>Why the last exchange in which both sides held the same two logs found their digests differing (<see cref="WindowHistory.Mismatch"/>).</summary>
    public string? Mismatch => History.Mismatch;

    /// <summary>What every request for a device with a corrupt journal is answered, or null.</summary>
    public string? CorruptReason => Corruption is { } fault
        ? $"device {Device}'s journal at the mirror is corrupt: {fault.Describe()}; nothing is served or written for it until an operator restores it"
        : null;

    /// <summary>The window history, empty when none was recorded.</summary>
    public WindowHistory History => Windows ?? WindowHistory.Empty;

    public StateJournalState Apply(object @event, long journalSequenceNr) => @event switch
    {
        EntryAppended { Entry: var entry } => this with { Logs = Logs.Append(entry, journalSequenceNr) },
        DeliveryConfirmed confirmed => this with { DeliveredThrough = Math.Max(DeliveredThrough, confirmed.MirrorLogLength) },
        DivergenceDetected diverged => this with { Divergence = diverged },
        HeartbeatRecorded heartbeat => this with { Windows = History.Apply(heartbeat) },
        SessionRecorded session => this with { Windows = History.Apply(session) },
        _ => this,
    };

    /// <summary>
    /// The answer, at once, to any request for a device whose journal is corrupt: a refusal with the
    /// reason for a submission or cancellation, the state as recovered for status questions, an
    /// acknowledgement (nothing written) for window history, a failure with the reason for the rest.
    /// </summary>
    public object CorruptAnswer(object request) => request switch
    {
        SubmitCommand or CancelCommand => new SubmitRefused(CorruptReason ?? "the device's journal is corrupt"),
        GetJournalState or LogHolderMessages.GetState => this,
        GetSyncView or LogHolderMessages.GetView => Logs.View,
        GetWindows query => new WindowList(History.WindowCount, History.Last(query.Last)),
        RecordHeartbeat or RecordSession => Acknowledged.Instance,
        _ => new Akka.Actor.Status.Failure(new InvalidOperationException(CorruptReason ?? "the device's journal is corrupt")),
    };

    /// <summary>
    /// A submission: the command entry after the mirror log's head, or <see cref="SubmitRefused"/>
    /// when the argument vector, the issuer or the device's open commands are out of
    /// <paramref name="limits"/>.
    /// </summary>
    public StateJournalDecision<object> Decide(SubmitCommand submit, HlcTimestamp now, StateJournalSettings limits)
    {
        if (RefusalOf(submit, limits) is { } reason)
            return Refuse(reason);
        var entry = LogEntry.NewCommand(Logs.MirrorLog, Origin.Mirror, now, submit.Issuer, submit.Argv, submit.NotAfterUnixMs);
        return EntrySize.Problem(entry, limits.Journal.MaxEntryBytes) is { } tooLarge ? Refuse($"the command is too large: {tooLarge}") : Write(entry);
    }

    /// <summary>Why a submission is refused, or null.</summary>
    public string? RefusalOf(SubmitCommand submit, StateJournalSettings limits)
    {
        if (ArgumentVector.Problem(submit.Argv) is { } problem)
            return problem;
        var size = submit.Argv.Sum(a => Encoding.UTF8.GetByteCount(a));
        if (size > limits.MaxCommandBytes)
            return $"command is {size} bytes; the limit is {limits.MaxCommandBytes}";
        if (string.IsNullOrWhiteSpace(submit.Issuer))
            return "issuer is empty";
        var open = Logs.Model.OpenCommands.Count;
        if (PropertyCommand.IsDeviceCommand(submit.Argv) && open >= limits.MaxOpenCommands)
            return $"{open} commands are already open for this device; the limit is {limits.MaxOpenCommands}";
        return null;
    }

    /// <summary>A cancellation: the cancel entry, or <see cref="SubmitRefused"/> when the target is not open or already being cancelled.</summary>
    public StateJournalDecision<object> Decide(CancelCommand cancel, HlcTimestamp now)
    {
        if (!Logs.Model.OpenCommands.TryGetValue(new CommandRef(Origin.Mirror, cancel.Sequence), out var open))
            return Refuse($"mirror entry {cancel.Sequence} is not an open device command");
        if (open.CancelRequested)
            return Refuse($"mirror command {cancel.Sequence} is already being cancelled");
        return Write(LogEntry.NewCancel(Logs.MirrorLog, now, cancel.Issuer, cancel.Sequence));
    }

    /// <summary>
    /// Device-log entries offered by an exchange: the chain check (the reply is it with the view
    /// after the events) and, unless it is a rejection, an event per entry not yet held.
    /// </summary>
    public StateJournalDecision<ChainCheck> Decide(AppendDeviceEntries append)
    {
        var check = Logs.Check(Origin.Device, append.Entries);
        return new(check, check.IsRejection ? [] : [.. check.NewEntries.Select(e => (object)new EntryAppended(e))]);
    }

    /// <summary>The device holds the mirror log this far: recorded when that is further than known, and never beyond what exists.</summary>
    public StateJournalDecision<Acknowledged> Decide(ConfirmDelivery confirm)
    {
        var length = Math.Min(confirm.MirrorLog.Length, Logs.MirrorLog.Length);
        return new(Acknowledged.Instance, length <= DeliveredThrough ? [] : [new DeliveryConfirmed(length)]);
    }

    /// <summary>The device diverged: always recorded, the latest finding replacing any earlier one.</summary>
    public StateJournalDecision<Acknowledged> Decide(MarkDiverged mark, long nowUnixMs) =>
        new(Acknowledged.Instance, [new DivergenceDetected(mark.Log, mark.Verdict, mark.Sequence, mark.Detail, nowUnixMs)]);

    private static StateJournalDecision<object> Refuse(string reason) => new(new SubmitRefused(reason), []);

    private static StateJournalDecision<object> Write(LogEntry entry) => new(new Submitted(entry), [new EntryAppended(entry)]);

    /// <summary>
    /// The answer to a status question once the command entry (and, when resolved, the device's
    /// result entry) is read back: a resolved entry that is no device command was applied, not run.
    /// </summary>
    public static CommandStatusReply StatusReply(long sequence, CommandStatus status, LogEntry command, LogEntry? result)
    {
        var resolved = status == CommandStatus.Resolved && (command.Kind != EntryKind.Command || !PropertyCommand.IsDeviceCommand(command.Argv))
            ? CommandStatus.Applied
            : status;
        return new CommandStatusReply(sequence, resolved, command, result);
    }

    /// <summary>
    /// The status of mirror entry <paramref name="sequence"/> as far as state can tell; resolved
    /// outcomes live in the device's result entry in the journal, not here.
    /// </summary>
    public CommandStatus StatusOf(long sequence)
    {
        if (sequence < 1 || sequence > Logs.MirrorLog.Length)
            return CommandStatus.Unknown;
        var reference = new CommandRef(Origin.Mirror, sequence);
        if (Logs.Model.OpenCommands.ContainsKey(reference))
            return sequence <= DeliveredThrough ? CommandStatus.Delivered : CommandStatus.Pending;
        return CommandStatus.Resolved;
    }
}
