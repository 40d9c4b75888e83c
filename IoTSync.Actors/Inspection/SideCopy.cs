using IoTSync.Logs;
using IoTSync.Model;

namespace IoTSync.Inspection;

/// <summary>
/// One side's copy of one device's two logs — from its journal or from an export — for
/// comparing with the other side's. <see cref="DeliveredThrough"/> is what the mirror recorded
/// the device confirmed at its last sync (null for a device's copy).
/// </summary>
public sealed record SideCopy(
    NodeRole Role,
    DeviceId Device,
    string Source,
    IReadOnlyList<LogEntry> DeviceLog,
    IReadOnlyList<LogEntry> MirrorLog,
    long? DeliveredThrough,
    SyncView? AgreedAtLastSync = null)
{
    public IReadOnlyList<LogEntry> Log(Origin origin) => origin == Origin.Device ? DeviceLog : MirrorLog;

    /// <summary>
    /// A copy from an audit; a mirror's agreed heads come from its window history
    /// (<paramref name="windows"/>, the device's window history journal) or else from the window
    /// events its state journal holds from an older mirror.
    /// </summary>
    public static SideCopy Of(ActorReport report, string source, Mirror.WindowHistory? windows = null) => new(
        report.Role, report.Device, source,
        report.DeviceLog.Entries ?? throw new ArgumentException("the audit kept no entries", nameof(report)),
        report.MirrorLog.Entries ?? throw new ArgumentException("the audit kept no entries", nameof(report)),
        (report.FinalState as Mirror.StateJournalState)?.DeliveredThrough,
        windows?.LastAgreed ?? (report.FinalState as Mirror.StateJournalState)?.Windows?.LastAgreed);

    public static SideCopy Of(JournalExportDocument document, string source) => new(
        document.Node, document.Device, source, document.DeviceLog.Entries, document.MirrorLog.Entries, document.DeliveredThrough);
}
