using IoTSync.Model;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.Mirror;

/// <summary>
/// The registry's latest state, readable from any thread: the heartbeat listener's key source, and
/// where the rest of the node (sessions, commands, the transport's admission) asks whether a device is
/// enrolled and not disabled.
/// </summary>
public sealed class DeviceKeyCache(TimeSpan rotationOverlap) : IDeviceKeys
{
    private volatile RegistryState _state = RegistryState.Empty;

    /// <summary>A cache whose rotated keys are refused at once (no overlap).</summary>
    public DeviceKeyCache() : this(TimeSpan.Zero)
    {
    }

    /// <summary>How long a rotation's retired credentials stay honoured.</summary>
    public TimeSpan RotationOverlap => rotationOverlap;

    public void Replace(RegistryState state) => _state = state;

    public EnrolledDevice? Find(DeviceId device) => _state.ById.GetValueOrDefault(device.Value);

    public byte[]? KeyOf(DeviceId device) => Find(device)?.HeartbeatKeyBytes;

    public HeartbeatKeys KeysAt(DeviceId device, long nowUnixMs) =>
        Find(device) is { } enrolled ? enrolled.HeartbeatKeysAt(nowUnixMs, rotationOverlap) : HeartbeatKeys.NotEnrolled;

    /// <summary>Not enrolled, enabled, or disabled: what anything admitting a device (a session, a command, a certificate) asks first.</summary>
    public DeviceStanding StandingOf(DeviceId device) =>
        Find(device) switch
        {
            null => DeviceStanding.NotEnrolled,
            { Disabled: true } => DeviceStanding.Disabled,
            _ => DeviceStanding.Enabled,
        };

    /// <summary>True for an enrolled device that is not disabled.</summary>
    public bool IsAdmitted(DeviceId device) => StandingOf(device) == DeviceStanding.Enabled;

    /// <summary>Every enrolled device, in id order.</summary>
    public IEnumerable<DeviceId> Devices => _state.ById.Values.Select(d => d.Device);
}
