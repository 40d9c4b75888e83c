using System.Collections.Immutable;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Serialization;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.Mirror;

/// <summary>
/// What a <see cref="StateJournal"/> is asked, and what it answers. Everything it is asked names
/// its device (<see cref="IWithDeviceId"/>), which is how <see cref="StateJournals"/> routes it.
/// </summary>
public static class StateJournalMessages
{
    /// <summary>Leave a command (or a <c>set</c>/<c>unset</c>) for the device. Answered with <see cref="Submitted"/> or <see cref="SubmitRefused"/>.</summary>
    public sealed record SubmitCommand(DeviceId Device, ImmutableArray<string> Argv, string Issuer, long? NotAfterUnixMs) : IIoTSyncMessage, IWithDeviceId;

    /// <summary>Ask the device not to run mirror command <see cref="Sequence"/>. Answered with <see cref="Submitted"/> or <see cref="SubmitRefused"/>.</summary>
    public sealed record CancelCommand(DeviceId Device, long Sequence, string Issuer) : IIoTSyncMessage, IWithDeviceId;

    /// <summary>The mirror-log entry now durable.</summary>
    public sealed record Submitted(LogEntry Entry) : IIoTSyncMessage;

    /// <summary>Nothing was written, and why.</summary>
    public sealed record SubmitRefused(string Reason) : IIoTSyncMessage;

    /// <summary>Device-log entries pulled in an exchange. Answered with <see cref="LogHolderMessages.AppendAnswer"/>.</summary>
    public sealed record AppendDeviceEntries(DeviceId Device, ImmutableArray<LogEntry> Entries) : IIoTSyncMessage, IWithDeviceId;

    /// <summary>The device holds the mirror log up to <see cref="MirrorLog"/>. Answered with <see cref="Acknowledged"/>.</summary>
    public sealed record ConfirmDelivery(DeviceId Device, LogPosition MirrorLog) : IIoTSyncMessage, IWithDeviceId;

    /// <summary>Mark the device diverged. Answered with <see cref="Acknowledged"/>.</summary>
    public sealed record MarkDiverged(DeviceId Device, Origin Log, Verdict Verdict, long Sequence, string Detail) : IIoTSyncMessage, IWithDeviceId;

    /// <summary>Record a heartbeat in the window history. Answered with <see cref="Acknowledged"/> once durable.</summary>
    public sealed record RecordHeartbeat(DeviceId Device, HeartbeatRecorded Heartbeat) : IIoTSyncMessage, IWithDeviceId;

    /// <summary>Record a sync session in the window history. Answered with <see cref="Acknowledged"/> once durable.</summary>
    public sealed record RecordSession(DeviceId Device, SessionRecorded Session) : IIoTSyncMessage, IWithDeviceId;

    /// <summary>A write that answers nothing else is durable.</summary>
    public sealed record Acknowledged : IIoTSyncMessage
    {
        public static Acknowledged Instance { get; } = new();
    }

    /// <summary>Where mirror command <see cref="Sequence"/> stands. Answered with <see cref="CommandStatusReply"/>.</summary>
    public sealed record GetCommandStatus(DeviceId Device, long Sequence) : IIoTSyncMessage, IWithDeviceId;

    /// <summary>The status, the command entry, and the device's result entry once resolved.</summary>
    public sealed record CommandStatusReply(long Sequence, CommandStatus Status, LogEntry? Command, LogEntry? Result) : IIoTSyncMessage
    {
        public CommandOutcome? Outcome => Result?.Result?.Outcome;
    }

    /// <summary>The device's most recent windows, at most <see cref="Last"/>. Answered with <see cref="WindowList"/>.</summary>
    public sealed record GetWindows(DeviceId Device, int Last) : IIoTSyncMessage, IWithDeviceId;

    /// <summary>
    /// The recent windows, oldest first (at most <see cref="WindowHistory.Capacity"/> are held; older
    /// ones are in the journal), and how many windows were recorded in all.
    /// </summary>
    public sealed record WindowList(long TotalWindows, ImmutableArray<WindowRecord> Windows) : IIoTSyncMessage;

    /// <summary><see cref="LogHolderMessages.GetView"/> for one device's journal. Answered with <see cref="SyncView"/>.</summary>
    public sealed record GetSyncView(DeviceId Device) : IIoTSyncMessage, IWithDeviceId;

    /// <summary><see cref="LogHolderMessages.GetState"/> for one device's journal. Answered with <see cref="StateJournalState"/>.</summary>
    public sealed record GetJournalState(DeviceId Device) : IIoTSyncMessage, IWithDeviceId;

    /// <summary><see cref="LogHolderMessages.ReadLog"/> for one device's journal. Answered with <see cref="LogHolderMessages.LogRange"/>.</summary>
    public sealed record ReadLogRange(DeviceId Device, Origin Log, long FromSequence, int MaxEntries) : IIoTSyncMessage, IWithDeviceId;
}
