using System.Collections.Immutable;
using IoTSync.Logs;
using IoTSync.Serialization;

namespace IoTSync.Device;

/// <summary>What the <see cref="CommandRecorder"/> is asked, and what it answers.</summary>
public static class CommandRecorderMessages
{
    /// <summary>
    /// Record a command given on the device (the <c>exec</c> CLI) and, for a device command, run
    /// it. Answered with <see cref="CommandCompleted"/> once its result is durable.
    /// </summary>
    public sealed record RecordCommand(ImmutableArray<string> Argv, string Issuer) : IIoTSyncMessage;

    /// <summary>The command entry and, for a device command, its result entry (null for set/unset).</summary>
    public sealed record CommandCompleted(LogEntry Command, LogEntry? Result) : IIoTSyncMessage;

    /// <summary>
    /// Mirror-log entries from an exchange: checked, stored, then their commands dealt with.
    /// Answered with <see cref="LogHolderMessages.AppendAnswer"/> when those commands are done or the budget ran out.
    /// </summary>
    public sealed record AppendMirrorEntries(ImmutableArray<LogEntry> Entries) : IIoTSyncMessage;

    /// <summary>An exchange's hello confirmed the device log (<see cref="Sync.IDeviceSide.LogConfirmed"/>).</summary>
    public sealed record LogConfirmedByMirror
    {
        public static LogConfirmedByMirror Instance { get; } = new();
    }
}
