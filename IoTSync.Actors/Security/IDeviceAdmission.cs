using IoTSync.Mirror;
using IoTSync.Model;

namespace IoTSync.Security;

/// <summary>
/// Whether the mirror admits a device at all — its heartbeats, its sessions and commands, and (with
/// mutual TLS) its certificate: only enrolled devices that are not disabled. Answered from the
/// registry's state (its <see cref="DeviceStanding"/>) by the key cache, without a round trip.
/// </summary>
public interface IDeviceAdmission
{
    /// <summary>Not enrolled, enabled, or disabled.</summary>
    DeviceStanding StandingOf(DeviceId device);
}
