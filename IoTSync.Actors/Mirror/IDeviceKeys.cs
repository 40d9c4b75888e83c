using IoTSync.Model;

namespace IoTSync.Mirror;

/// <summary>The enrolled devices' heartbeat keys.</summary>
public interface IDeviceKeys
{
    /// <summary>The device's key, or null for a device that is not enrolled.</summary>
    byte[]? KeyOf(DeviceId device);
}
