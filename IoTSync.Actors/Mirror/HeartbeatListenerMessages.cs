using IoTSync.Model;
using IoTSync.Protocol;

namespace IoTSync.Mirror;

/// <summary>What the <see cref="HeartbeatListener"/> tells others.</summary>
public static class HeartbeatListenerMessages
{
    /// <summary>To the replicator: the device is in its window and asked for a session.</summary>
    public sealed record SyncRequested(DeviceId Device, string SessionId, Heartbeat Heartbeat);
}

/// <summary>The enrolled devices' heartbeat keys.</summary>
public interface IDeviceKeys
{
    /// <summary>The device's key, or null for a device that is not enrolled.</summary>
    byte[]? KeyOf(DeviceId device);
}
