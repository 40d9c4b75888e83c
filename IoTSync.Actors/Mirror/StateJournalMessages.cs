using System.Collections.Immutable;
using IoTSync.Journal;
using IoTSync.Serialization;

namespace IoTSync.Mirror;

/// <summary>What a <see cref="StateJournal"/> is asked, and what it answers.</summary>
public static class StateJournalMessages
{
    /// <summary>Leave a command (or a <c>set</c>/<c>unset</c>) for the device. Answered with <see cref="Submitted"/> or <see cref="SubmitRefused"/>.</summary>
    public sealed record SubmitCommand(ImmutableArray<string> Argv, string Issuer, long? NotAfterUnixMs) : IIoTSyncMessage;

    /// <summary>Ask the device not to run mirror command <see cref="Sequence"/>.</summary>
    public sealed record CancelCommand(long Sequence, string Issuer) : IIoTSyncMessage;

    /// <summary>The mirror-log entry now durable.</summary>
    public sealed record Submitted(LogEntry Entry) : IIoTSyncMessage;

    /// <summary>Nothing was written, and why.</summary>
    public sealed record SubmitRefused(string Reason) : IIoTSyncMessage;

    /// <summary>Device-log entries pulled in an exchange. Answered with <see cref="LogHolderMessages.AppendAnswer"/>.</summary>
    public sealed record AppendDeviceEntries(ImmutableArray<LogEntry> Entries) : IIoTSyncMessage;

    /// <summary>The device holds the mirror log up to <see cref="MirrorLog"/>. Answered with <see cref="Acknowledged"/>.</summary>
    public sealed record ConfirmDelivery(LogPosition MirrorLog) : IIoTSyncMessage;

    /// <summary>Mark the device diverged. Answered with <see cref="Acknowledged"/>.</summary>
    public sealed record MarkDiverged(Origin Log, Verdict Verdict, long Sequence, string Detail) : IIoTSyncMessage;

    /// <summary>A write that answers nothing else is durable.</summary>
    public sealed record Acknowledged : IIoTSyncMessage
    {
        public static Acknowledged Instance { get; } = new();
    }

    /// <summary>Where mirror command <see cref="Sequence"/> stands. Answered with <see cref="CommandStatusReply"/>.</summary>
    public sealed record GetCommandStatus(long Sequence) : IIoTSyncMessage;

    /// <summary>The status, the command entry, and the device's result entry once resolved.</summary>
    public sealed record CommandStatusReply(long Sequence, CommandStatus Status, LogEntry? Command, LogEntry? Result) : IIoTSyncMessage
    {
        public CommandOutcome? Outcome => Result?.Result?.Outcome;
    }

    /// <summary>The device's most recent windows, at most <see cref="Last"/>. Answered with <see cref="WindowList"/>.</summary>
    public sealed record GetWindows(int Last) : IIoTSyncMessage;

    /// <summary>
    /// The recent windows, oldest first (at most <see cref="WindowHistory.Capacity"/> are held; older
    /// ones are in the journal), and how many windows were recorded in all.
    /// </summary>
    public sealed record WindowList(long TotalWindows, ImmutableArray<WindowRecord> Windows) : IIoTSyncMessage;
}
