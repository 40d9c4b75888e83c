using IoTSync.Logs;
using IoTSync.Serialization;

namespace IoTSync.Device;

/// <summary>Journal events of the <see cref="CommandRecorder"/> besides <see cref="EntryAppended"/>.</summary>
public static class CommandRecorderEvents
{
    /// <summary>
    /// Written just before a device command starts. A restart that finds a command started but
    /// without a result records it as interrupted instead of running it twice.
    /// </summary>
    public sealed record CommandStarted(CommandRef Command) : IIoTSyncMessage;
}
