namespace IoTSync.Inspection;

/// <summary>
/// Where a problem is: one of the two logs, the journal's own sequence, the snapshot, an export
/// document, a device's window history journal (<c>window-history-ID</c>), the mirror's device
/// registry (<c>device-registry</c>), or its API tokens (<c>api-tokens</c>).
/// </summary>
public enum FindingPlace
{
    DeviceLog,
    MirrorLog,
    Journal,
    Snapshot,
    Document,
    WindowHistory,
    Registry,
    Tokens,
}
