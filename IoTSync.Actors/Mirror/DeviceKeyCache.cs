using IoTSync.Model;
using IoTSync.Security;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.Mirror;

/// <summary>
/// The registry's latest state, readable from any thread: the heartbeat listener's key source and
/// admission (enrolled, not disabled), the replicator's and the control socket's device listing.
/// </summary>
public sealed class DeviceKeyCache : IDeviceKeys, IDeviceAdmission
{
    private volatile RegistryState _state = RegistryState.Empty;

    public void Replace(RegistryState state) => _state = state;

    /// <summary>The device as listed (no heartbeat key), or null when it is not enrolled.</summary>
    public DeviceListing? Find(DeviceId device) => _state.ById.GetValueOrDefault(device.Value)?.Listing;

    public byte[]? KeyOf(DeviceId device) => _state.ById.GetValueOrDefault(device.Value)?.HeartbeatKeyBytes;

    public AdmissionVerdict Admit(DeviceId device) =>
        // Disabling (a registry event of its own) answers Disabled here.
        _state.ById.ContainsKey(device.Value) ? AdmissionVerdict.Admitted : AdmissionVerdict.NotEnrolled;

    /// <summary>Every enrolled device, in id order.</summary>
    public IEnumerable<DeviceId> Devices => _state.ById.Values.Select(d => d.Device);
}
