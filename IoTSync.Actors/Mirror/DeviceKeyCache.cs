using System.Collections.Immutable;
using IoTSync.Model;
using IoTSync.Security;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.Mirror;

/// <summary>
/// The registry's latest state, readable from any thread: the heartbeat listener's key source, the
/// device listing (no heartbeat key) for the replicator and the control socket, and admission — where
/// the rest of the node (heartbeats, sessions, commands, the transport's certificate check) asks
/// whether a device is enrolled and not disabled.
/// </summary>
public sealed class DeviceKeyCache(TimeSpan rotationOverlap) : IDeviceKeys, IDeviceAdmission
{
    private volatile RegistryState _state = RegistryState.Empty;

    /// <summary>A cache whose rotated keys are refused at once (no overlap).</summary>
    public DeviceKeyCache() : this(TimeSpan.Zero)
    {
    }

    /// <summary>How long a rotation's retired credentials stay honoured.</summary>
    public TimeSpan RotationOverlap => rotationOverlap;

    public void Replace(RegistryState state) => _state = state;

    private EnrolledDevice? Enrolled(DeviceId device) => _state.ById.GetValueOrDefault(device.Value);

    /// <summary>The device as listed (no heartbeat key), or null when it is not enrolled.</summary>
    public DeviceListing? Find(DeviceId device) => Enrolled(device)?.Listing;

    public byte[]? KeyOf(DeviceId device) => Enrolled(device)?.HeartbeatKeyBytes;

    public HeartbeatKeys KeysAt(DeviceId device, long nowUnixMs) =>
        Enrolled(device) is { } enrolled ? enrolled.HeartbeatKeysAt(nowUnixMs, rotationOverlap) : HeartbeatKeys.NotEnrolled;

    /// <summary>
    /// The mirror's SSH keys to try on the device at <paramref name="nowUnixMs"/> (see
    /// <see cref="EnrolledDevice.SshKeysAt"/>); empty for a device that is not enrolled.
    /// </summary>
    public ImmutableArray<string> SshKeysAt(DeviceId device, long nowUnixMs) =>
        Enrolled(device) is { } enrolled ? enrolled.SshKeysAt(nowUnixMs, rotationOverlap) : [];

    /// <summary>Not enrolled, enabled, or disabled: what anything admitting a device (a heartbeat, a session, a command, a certificate) asks first.</summary>
    public DeviceStanding StandingOf(DeviceId device) =>
        Enrolled(device) switch
        {
            null => DeviceStanding.NotEnrolled,
            { Disabled: true } => DeviceStanding.Disabled,
            _ => DeviceStanding.Enabled,
        };

    public string? CertificateProblem(DeviceId device, CertificatePin presented, long nowUnixMs) =>
        Enrolled(device) is { } enrolled ? enrolled.CertificateProblemAt(presented, nowUnixMs, rotationOverlap) : $"device {device} is not enrolled";

    /// <summary>True for an enrolled device that is not disabled.</summary>
    public bool IsAdmitted(DeviceId device) => StandingOf(device) == DeviceStanding.Enabled;

    /// <summary>Every enrolled device, in id order.</summary>
    public IEnumerable<DeviceId> Devices => _state.ById.Values.Select(d => d.Device);

    /// <summary>
    /// Every enrolled device as listed (no heartbeat key), from this node's copy: what the registry's own
    /// <c>ListDevices</c> answers, without a message that grows with the fleet crossing to the node that holds
    /// the registry (past a few hundred devices such an answer exceeds Akka.Remote's frame).
    /// </summary>
    public ImmutableArray<DeviceListing> Listings => [.. _state.ById.Values.Select(d => d.Listing)];
}
