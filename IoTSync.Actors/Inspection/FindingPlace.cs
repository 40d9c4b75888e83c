namespace IoTSync.Inspection;

/// <summary>Where a problem is: one of the two logs, the journal's own sequence, the snapshot, or an export document.</summary>
public enum FindingPlace
{
    DeviceLog,
    MirrorLog,
    Journal,
    Snapshot,
    Document,
}
