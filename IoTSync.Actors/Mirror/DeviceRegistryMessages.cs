using System.Collections.Immutable;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Serialization;

namespace IoTSync.Mirror;

/// <summary>
/// How the mirror reaches and recognises one enrolled device: its SSH address (direct mode),
/// port and user, its pinned host key as OpenSSH prints it (<c>SHA256:…</c>), and its heartbeat
/// HMAC key in hex. <see cref="Disabled"/>: nothing from or to the device is admitted (heartbeats,
/// sessions, new commands, and for the transport its certificate) until it is enabled again.
/// <see cref="Retired"/>: the credentials the last rotation replaced, honoured for the configured
/// overlap after it. <see cref="MirrorKeyFile"/>: the mirror's SSH key for this device since a
/// rotation; empty for the node's own key. <see cref="Certificate"/>: the TLS certificate the fleet CA
/// signed for it at <c>enroll --csr</c> or the last <c>device rotate --csr</c>; null when none was pinned
/// (enrolled before pins or without <c>--csr</c>): then any certificate the CA signed for it is admitted
/// until its first rotation with <c>--csr</c>. <see cref="PreviousCertificate"/>: the one that rotation
/// replaced, honoured for the overlap. <see cref="Mode"/>: who opens the sync session; a
/// <see cref="SessionMode.Reverse"/> device has no SSH address, user or host key here (the mirror never
/// dials it) but <see cref="DeviceSshKey"/>, the public key it logs in to the mirror host with. Both are left
/// out of the encoding at their defaults, so a direct device encodes (and hashes in <see cref="RegistryChain"/>)
/// exactly as before they existed, and an event written before them reads as direct.
/// </summary>
public sealed record EnrolledDevice(DeviceId Device, string SshHost, int SshPort, string SshUser, string HostKeyFingerprint, string HeartbeatKey, long EnrolledAtUnixMs,
    bool Disabled = false, RetiredCredentials? Retired = null, string MirrorKeyFile = "",
    CertificatePin? Certificate = null, RetiredCertificate? PreviousCertificate = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] SessionMode Mode = SessionMode.Direct,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DeviceSshKey = null)
{
    /// <summary>
    /// Why the TLS certificate <paramref name="presented"/> (already chained to the fleet CA and naming
    /// this device) is refused at <paramref name="nowUnixMs"/>, or null when it is admitted: the device
    /// is not disabled, and the certificate is the pinned one, or the one the last rotation replaced
    /// while the overlap lasts. With nothing pinned yet, any such certificate is admitted.
    /// </summary>
    public string? CertificateProblemAt(CertificatePin presented, long nowUnixMs, TimeSpan overlap)
    {
        if (Disabled)
            return $"device {Device} is disabled";
        if (Certificate is null || Certificate.Matches(presented))
            return null;
        if (PreviousCertificate is { } previous && (previous.Pin is null || previous.Pin.Matches(presented)))
            return previous.HonouredAt(nowUnixMs, overlap)
                ? null
                : $"the certificate {presented.Sha256} of device {Device} was replaced at {previous.RotatedAtUnixMs} and honoured until {previous.RefusedFromUnixMs(overlap)} (unix ms)";
        return $"the certificate {presented.Sha256} is not the one pinned for device {Device}";
    }

    /// <summary>
    /// The mirror's SSH keys to try on this device at <paramref name="nowUnixMs"/>, in order: the
    /// current one, then the one its last rotation retired while the overlap lasts (the device may
    /// not have installed the new authorized_keys line yet). Empty names the node's own key.
    /// </summary>
    public System.Collections.Immutable.ImmutableArray<string> SshKeysAt(long nowUnixMs, TimeSpan overlap) =>
        Retired is { } retired && retired.HonouredAt(nowUnixMs, overlap) && retired.MirrorKeyFile != MirrorKeyFile
            ? [MirrorKeyFile, retired.MirrorKeyFile]
            : [MirrorKeyFile];

    public byte[] HeartbeatKeyBytes => Convert.FromHexString(HeartbeatKey);

    /// <summary>
    /// The keys a heartbeat from this device may be signed with at <paramref name="nowUnixMs"/>: none
    /// while disabled; the current key; and the retired one while its overlap lasts.
    /// </summary>
    public HeartbeatKeys HeartbeatKeysAt(long nowUnixMs, TimeSpan overlap) =>
        Disabled
            ? HeartbeatKeys.DisabledDevice
            : new HeartbeatKeys(DeviceStanding.Enabled, HeartbeatKeyBytes,
                Retired is { } retired ? new RetiredKey(Convert.FromHexString(retired.HeartbeatKey), retired.RotatedAtUnixMs, retired.HonouredAt(nowUnixMs, overlap)) : null);

    /// <summary>The device without its heartbeat keys: what replies and listings carry.</summary>
    public DeviceListing Listing => new(Device, SshHost, SshPort, SshUser, HostKeyFingerprint, EnrolledAtUnixMs, Disabled, MirrorKeyFile, Certificate, Mode, DeviceSshKey);

    // A record prints every property; the keys (current and retired) must not reach a log line that way.
    public override string ToString() => $"EnrolledDevice {{ {Listing} }}";
}

/// <summary>What the <see cref="DeviceRegistry"/> is asked, answers and stores.</summary>
public static partial class DeviceRegistryMessages
{
    /// <summary>Enrol a device, or re-enrol it with new details. Answered with <see cref="Enrolled"/> or <see cref="EnrolRefused"/>.</summary>
    public sealed record Enrol(EnrolledDevice Device) : IIoTSyncMessage;

    /// <summary>The enrolment was stored; the device as listed, without its key.</summary>
    public sealed record Enrolled(DeviceListing Device) : IIoTSyncMessage;

    public sealed record EnrolRefused(string Reason) : IIoTSyncMessage;

    /// <summary>Answered with <see cref="Devices"/>.</summary>
    public sealed record ListDevices : IIoTSyncMessage
    {
        public static ListDevices Instance { get; } = new();
    }

    /// <summary>Every enrolled device, as listed: no heartbeat key.</summary>
    public sealed record Devices(ImmutableArray<DeviceListing> All) : IIoTSyncMessage;

    /// <summary>
    /// Answered with <see cref="DeviceCount"/>: that the registry has recovered and answers, in a message whose size does
    /// not grow with the fleet (a readiness probe or a node's start may ask the registry on another cluster node).
    /// </summary>
    public sealed record CountDevices : IIoTSyncMessage
    {
        public static CountDevices Instance { get; } = new();
    }

    /// <summary>How many devices are enrolled.</summary>
    public sealed record DeviceCount(int Count) : IIoTSyncMessage;

    /// <summary>
    /// Journal event: a device was enrolled (or its details replaced). <c>Hash</c> on this and the
    /// registry's other events links it to the events before it (<see cref="RegistryChain"/>); null
    /// in events written before the registry was chained.
    /// </summary>
    public sealed record DeviceEnrolled(EnrolledDevice Device, Sha256Hash? Hash = null) : IIoTSyncMessage;

    /// <summary>
    /// Refuse everything from and to a device from <see cref="AtUnixMs"/> on (<c>device disable</c>).
    /// Answered with <see cref="DeviceChanged"/> or <see cref="ChangeRefused"/>.
    /// </summary>
    public sealed record Disable(DeviceId Device, long AtUnixMs) : IIoTSyncMessage;

    /// <summary>Admit a disabled device again (<c>device enable</c>). Answered with <see cref="DeviceChanged"/> or <see cref="ChangeRefused"/>.</summary>
    public sealed record Enable(DeviceId Device, long AtUnixMs) : IIoTSyncMessage;

    /// <summary>
    /// Replace a device's heartbeat key and the mirror's SSH key for it (<c>device rotate</c>), and with
    /// <see cref="NewCertificate"/> pin its new TLS certificate; the old ones stay honoured for the overlap.
    /// The new keys are made and the certificate signed by the caller, so the decision stays pure. Answered with
    /// <see cref="DeviceChanged"/> or <see cref="ChangeRefused"/>.
    /// </summary>
    public sealed record Rotate(DeviceId Device, string NewHeartbeatKey, long AtUnixMs, string NewMirrorKeyFile = "", CertificatePin? NewCertificate = null) : IIoTSyncMessage;

    /// <summary>The device as it now stands, as listed: no heartbeat key.</summary>
    public sealed record DeviceChanged(DeviceListing Device) : IIoTSyncMessage;

    /// <summary>Nothing was changed, and why.</summary>
    public sealed record ChangeRefused(string Reason) : IIoTSyncMessage;

    /// <summary>Journal event: the device is disabled.</summary>
    public sealed record DeviceDisabled(DeviceId Device, long AtUnixMs, Sha256Hash? Hash = null) : IIoTSyncMessage;

    /// <summary>Journal event: the disabled device is admitted again.</summary>
    public sealed record DeviceEnabled(DeviceId Device, long AtUnixMs, Sha256Hash? Hash = null) : IIoTSyncMessage;

    /// <summary>
    /// Journal event: the device's heartbeat key and the mirror's SSH key for it were replaced, and with
    /// <see cref="Certificate"/> its pinned TLS certificate; the ones replaced are retired at <see cref="AtUnixMs"/>.
    /// Without <see cref="Certificate"/> the pinned certificate (and one retired earlier) stays as it was.
    /// </summary>
    public sealed record CredentialsRotated(DeviceId Device, string HeartbeatKey, long AtUnixMs, string MirrorKeyFile = "", CertificatePin? Certificate = null,
        Sha256Hash? Hash = null) : IIoTSyncMessage;

    /// <summary>
    /// The registry's state and snapshot. Pure: each <c>Decide</c> checks an enrolment, a disable, an
    /// enable or a rotation and gives the reply and the events to persist; each <c>Apply</c> folds an event in.
    /// </summary>
    public sealed partial record RegistryState(ImmutableSortedDictionary<string, EnrolledDevice> ById) : IIoTSyncMessage
    {
        public static RegistryState Empty { get; } = new(ImmutableSortedDictionary.Create<string, EnrolledDevice>(StringComparer.Ordinal));

        public RegistryState Apply(DeviceEnrolled enrolled) => new(ById.SetItem(enrolled.Device.Device.Value, enrolled.Device));

        public RegistryState Apply(DeviceDisabled disabled) => With(disabled.Device, d => d with { Disabled = true });

        public RegistryState Apply(DeviceEnabled enabled) => With(enabled.Device, d => d with { Disabled = false });

        public RegistryState Apply(CredentialsRotated rotated) =>
            With(rotated.Device, d => d with
            {
                HeartbeatKey = rotated.HeartbeatKey,
                MirrorKeyFile = rotated.MirrorKeyFile,
                Retired = new RetiredCredentials(d.HeartbeatKey, rotated.AtUnixMs, d.MirrorKeyFile),
                Certificate = rotated.Certificate ?? d.Certificate,
                PreviousCertificate = rotated.Certificate is null ? d.PreviousCertificate : new RetiredCertificate(d.Certificate, rotated.AtUnixMs),
            });

        /// <summary>Folds in any of the registry's events.</summary>
        public RegistryState Apply(IIoTSyncMessage @event) => @event switch
        {
            DeviceEnrolled e => Apply(e),
            DeviceDisabled e => Apply(e),
            DeviceEnabled e => Apply(e),
            CredentialsRotated e => Apply(e),
            _ => throw new ArgumentException($"{@event.GetType().Name} is not a registry event"),
        };

        private RegistryState With(DeviceId device, Func<EnrolledDevice, EnrolledDevice> change) =>
            ById.TryGetValue(device.Value, out var enrolled) ? new(ById.SetItem(device.Value, change(enrolled))) : this;

        /// <summary>
        /// An enrolment (or re-enrolment): <see cref="Enrolled"/> and the event, or <see cref="EnrolRefused"/> and nothing.
        /// Re-enrolment gives fresh credentials (nothing retired is kept, the node's own SSH key) and cannot enable a disabled device.
        /// An enrolment without a certificate (no <c>--csr</c>) keeps the one pinned before, if any: re-enrolling never unpins.
        /// </summary>
        public (object Reply, ImmutableArray<DeviceEnrolled> Events) Decide(Enrol enrol)
        {
            var device = enrol.Device with
            {
                Disabled = false, Retired = null, MirrorKeyFile = "", PreviousCertificate = null,
                Certificate = enrol.Device.Certificate ?? ById.GetValueOrDefault(enrol.Device.Device.Value)?.Certificate,
            };
            if (Problem(device) is { } problem)
                return (new EnrolRefused(problem), []);
            if (ById.GetValueOrDefault(device.Device.Value) is { Disabled: true })
                return (new EnrolRefused($"{device.Device} is disabled; enable it first ('device enable')"), []);
            return (new Enrolled(device.Listing), [new DeviceEnrolled(device)]);
        }

        /// <summary>Disabling an enrolled device: <see cref="DeviceChanged"/> and the event; disabling a disabled one changes nothing.</summary>
        public (object Reply, ImmutableArray<IIoTSyncMessage> Events) Decide(Disable disable)
        {
            if (ById.GetValueOrDefault(disable.Device.Value) is not { } device)
                return (new ChangeRefused($"device '{disable.Device}' is not enrolled"), []);
            var @event = new DeviceDisabled(disable.Device, disable.AtUnixMs);
            return device.Disabled ? (new DeviceChanged(device.Listing), []) : (new DeviceChanged(Apply(@event).ById[device.Device.Value].Listing), [@event]);
        }

        /// <summary>Enabling a disabled device: <see cref="DeviceChanged"/> and the event; enabling an enabled one changes nothing.</summary>
        public (object Reply, ImmutableArray<IIoTSyncMessage> Events) Decide(Enable enable)
        {
            if (ById.GetValueOrDefault(enable.Device.Value) is not { } device)
                return (new ChangeRefused($"device '{enable.Device}' is not enrolled"), []);
            var @event = new DeviceEnabled(enable.Device, enable.AtUnixMs);
            return device.Disabled ? (new DeviceChanged(Apply(@event).ById[device.Device.Value].Listing), [@event]) : (new DeviceChanged(device.Listing), []);
        }

        /// <summary>
        /// A rotation: the new key becomes current and the old one is retired at the rotation's time
        /// (a key retired by an earlier rotation is forgotten); with a new certificate, likewise the pinned
        /// one. Refused for a device that is not enrolled or is disabled, for a key that is malformed or
        /// the current one, and for a certificate that is the current or the previous one.
        /// </summary>
        public (object Reply, ImmutableArray<IIoTSyncMessage> Events) Decide(Rotate rotate)
        {
            if (ById.GetValueOrDefault(rotate.Device.Value) is not { } device)
                return (new ChangeRefused($"device '{rotate.Device}' is not enrolled"), []);
            if (device.Disabled)
                return (new ChangeRefused($"{rotate.Device} is disabled; enable it before rotating its credentials"), []);
            if (KeyProblem(rotate.NewHeartbeatKey) is { } problem)
                return (new ChangeRefused(problem), []);
            if (string.Equals(rotate.NewHeartbeatKey, device.HeartbeatKey, StringComparison.OrdinalIgnoreCase))
                return (new ChangeRefused("the new heartbeat key is the current one"), []);
            if (rotate.NewCertificate is { } pin && (device.Certificate?.Matches(pin) == true || device.PreviousCertificate?.Pin?.Matches(pin) == true))
                return (new ChangeRefused("the new certificate is the current or the previous one"), []);
            var @event = new CredentialsRotated(rotate.Device, rotate.NewHeartbeatKey, rotate.AtUnixMs, rotate.NewMirrorKeyFile, rotate.NewCertificate);
            return (new DeviceChanged(Apply(@event).ById[device.Device.Value].Listing), [@event]);
        }

        /// <summary>Why the details cannot be enrolled, or null.</summary>
        public static string? Problem(EnrolledDevice device)
        {
            if (device.Mode == SessionMode.Reverse)
                return ReverseProblem(device) ?? KeyProblem(device.HeartbeatKey);
            if (device.DeviceSshKey is not null)
                return "a direct-mode device has no device SSH key (the mirror dials it)";
            if (!Enum.IsDefined(device.Mode))
                return $"mode {(int)device.Mode} is neither direct nor reverse";
            if (!Fingerprint().IsMatch(device.HostKeyFingerprint))
                return $"'{device.HostKeyFingerprint}' is not an OpenSSH SHA256 fingerprint (SHA256: and 43 base64 characters)";
            if (device.SshPort is < 1 or > 65535)
                return $"port {device.SshPort} is out of range";
            if (string.IsNullOrWhiteSpace(device.SshHost) || device.SshHost.Any(char.IsWhiteSpace))
                return "the SSH host is empty or has spaces";
            if (string.IsNullOrWhiteSpace(device.SshUser) || !UserName().IsMatch(device.SshUser))
                return $"'{device.SshUser}' is not a valid user name";
            return KeyProblem(device.HeartbeatKey);
        }

        /// <summary>A reverse device dials the mirror: no address, user or host key of its own; its public key in OpenSSH's form.</summary>
        private static string? ReverseProblem(EnrolledDevice device)
        {
            if (device.SshHost.Length > 0 || device.SshPort != 0 || device.SshUser.Length > 0 || device.HostKeyFingerprint.Length > 0)
                return "a reverse-mode device has no SSH address, user or host key (it dials the mirror host)";
            return Reverse.DevicePublicKey.TryParse(device.DeviceSshKey, out var key, out var problem)
                ? key.Line == device.DeviceSshKey ? null : "the device SSH key must be stored as 'ALGORITHM BASE64' with no comment"
                : problem;
        }

        private static string? KeyProblem(string heartbeatKey) =>
            heartbeatKey.Length < HeartbeatAuthenticator.MinimumKeyBytes * 2 || heartbeatKey.Length % 2 != 0 || !heartbeatKey.All(Uri.IsHexDigit)
                ? $"the heartbeat key must be at least {HeartbeatAuthenticator.MinimumKeyBytes} bytes of hex"
                : null;

        [GeneratedRegex("^SHA256:[A-Za-z0-9+/]{43}$")]
        private static partial Regex Fingerprint();

        [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")]
        private static partial Regex UserName();
    }
}
