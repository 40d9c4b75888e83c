using IoTSync.Logs;

namespace IoTSync.Sync;

/// <summary>What the device's half of an exchange needs from the device's log holder (the CommandRecorder).</summary>
public interface IDeviceSide
{
    Task<SyncView> GetView(CancellationToken cancellationToken);

    /// <summary>
    /// Checks and durably stores mirror-log entries, then deals with the new commands within the
    /// execution budget, recording their results; nothing is stored on a rejection.
    /// </summary>
    Task<AppendResult> AppendMirrorEntries(IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken);

    Task<IReadOnlyList<LogEntry>> ReadDeviceLog(long fromSequence, int maxEntries, CancellationToken cancellationToken);

    /// <summary>
    /// The mirror's hello held no more of the device log than the device does, and a prefix of it:
    /// commands left open at recovery may be dealt with (<see cref="Device.CommandRecorderState.AwaitsMirror"/>).
    /// </summary>
    Task LogConfirmed(CancellationToken cancellationToken);
}
