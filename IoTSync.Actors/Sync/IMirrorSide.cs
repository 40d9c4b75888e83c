using IoTSync.Logs;

namespace IoTSync.Sync;

/// <summary>What the mirror's half of an exchange needs from the mirror's log holder (the StateJournal).</summary>
public interface IMirrorSide
{
    Task<SyncView> GetView(CancellationToken cancellationToken);

    /// <summary>Why the device is marked diverged, or null when it is not: no exchange runs for a diverged device.</summary>
    Task<string?> Divergence(CancellationToken cancellationToken);

    Task<IReadOnlyList<LogEntry>> ReadMirrorLog(long fromSequence, int maxEntries, CancellationToken cancellationToken);

    /// <summary>Checks and durably stores device-log entries; nothing is stored on a rejection.</summary>
    Task<AppendResult> AppendDeviceEntries(IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken);

    /// <summary>The device holds the mirror log up to this position: its commands there are delivered.</summary>
    Task ConfirmDelivery(LogPosition mirrorLogAtDevice, CancellationToken cancellationToken);

    /// <summary>The device's logs contradict ours: mark it diverged so syncing stops until an operator acts.</summary>
    Task MarkDiverged(Origin log, ChainCheck reason, CancellationToken cancellationToken);
}
