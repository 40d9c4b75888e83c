using IoTSync.Journal;
using IoTSync.Protocol;

namespace IoTSync.Sync;

/// <summary>The result of offering a batch to a side: the check, and that side's view afterwards.</summary>
public sealed record AppendResult(ChainCheck Check, SyncView View);

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
}

/// <summary>Carries one request from the mirror to the device and brings back its answer.</summary>
public interface IExchangeChannel
{
    Task<ExchangeMessage> Send(ExchangeMessage request, CancellationToken cancellationToken);
}
