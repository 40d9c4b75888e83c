using IoTSync.Model;

namespace IoTSync.Security;

/// <summary>
/// Whether the mirror admits a device at all — its heartbeats, and (with mutual TLS) its certificate:
/// only enrolled devices that are not disabled. Read from the registry's key cache, without a round trip.
/// </summary>
public interface IDeviceAdmission
{
    AdmissionVerdict Admit(DeviceId device);
}
