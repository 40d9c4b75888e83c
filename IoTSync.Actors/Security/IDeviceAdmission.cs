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

    /// <summary>
    /// Why the device's TLS certificate <paramref name="presented"/> is refused at <paramref name="nowUnixMs"/>,
    /// or null when it is admitted (see <see cref="EnrolledDevice.CertificateProblemAt"/>). Without pins,
    /// every certificate of an admitted device is.
    /// </summary>
    string? CertificateProblem(DeviceId device, CertificatePin presented, long nowUnixMs) => null;
}
