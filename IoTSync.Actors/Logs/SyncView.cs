using IoTSync.Serialization;

namespace IoTSync.Logs;

/// <summary>Both logs' positions and the state digest, as one side sees them.</summary>
public sealed record SyncView(LogPosition DeviceLog, LogPosition MirrorLog, Sha256Hash StateDigest) : IIoTSyncMessage
{
    public override string ToString() => $"device {DeviceLog}, mirror {MirrorLog}, digest {StateDigest.Short}";
}
