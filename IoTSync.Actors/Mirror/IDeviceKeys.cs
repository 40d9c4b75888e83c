using IoTSync.Model;

namespace IoTSync.Mirror;

/// <summary>The enrolled devices' heartbeat keys.</summary>
public interface IDeviceKeys
{
    /// <summary>The device's current key, or null for a device that is not enrolled.</summary>
    byte[]? KeyOf(DeviceId device);

    /// <summary>
    /// What a heartbeat from the device may be signed with at <paramref name="nowUnixMs"/> (nothing for
    /// a disabled device; a rotation's retired key during its overlap). By default the one current key.
    /// </summary>
    HeartbeatKeys KeysAt(DeviceId device, long nowUnixMs) => KeyOf(device) is { } key ? HeartbeatKeys.Only(key) : HeartbeatKeys.NotEnrolled;
}
