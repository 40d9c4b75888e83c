using IoTSync.Logs;
using IoTSync.Model;

namespace IoTSync.Inspection;

/// <summary>One copy of one device's journal that was checked, and how it stands.</summary>
public sealed record VerifiedCopy(
    string Source,
    NodeRole Role,
    DeviceId Device,
    long Events,
    LogPosition DeviceLog,
    LogPosition MirrorLog,
    Sha256Hash? StateDigest,
    long? SnapshotSequenceNr,
    SnapshotCheck Snapshot,
    bool Holds,
    bool IsExport);
