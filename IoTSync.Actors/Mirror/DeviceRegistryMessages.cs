using System.Collections.Immutable;
using System.Text.RegularExpressions;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Serialization;

namespace IoTSync.Mirror;

/// <summary>
/// How the mirror reaches and recognises one enrolled device: its SSH address (direct mode),
/// port and user, its pinned host key as OpenSSH prints it (<c>SHA256:…</c>), and its heartbeat
/// HMAC key in hex.
/// </summary>
public sealed record EnrolledDevice(DeviceId Device, string SshHost, int SshPort, string SshUser, string HostKeyFingerprint, string HeartbeatKey, long EnrolledAtUnixMs)
{
    public byte[] HeartbeatKeyBytes => Convert.FromHexString(HeartbeatKey);

    /// <summary>The device without its heartbeat key: what replies and listings carry.</summary>
    public DeviceListing Listing => new(Device, SshHost, SshPort, SshUser, HostKeyFingerprint, EnrolledAtUnixMs);

    // A record prints every property; the key must not reach a log line that way.
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

    /// <summary>Journal event: a device was enrolled (or its details replaced).</summary>
    public sealed record DeviceEnrolled(EnrolledDevice Device) : IIoTSyncMessage;

    /// <summary>
    /// The registry's state and snapshot. Pure: <see cref="Decide"/> checks an enrolment and gives
    /// the reply and the event to persist; <see cref="Apply"/> folds the event in.
    /// </summary>
    public sealed partial record RegistryState(ImmutableSortedDictionary<string, EnrolledDevice> ById) : IIoTSyncMessage
    {
        public static RegistryState Empty { get; } = new(ImmutableSortedDictionary.Create<string, EnrolledDevice>(StringComparer.Ordinal));

        public RegistryState Apply(DeviceEnrolled enrolled) => new(ById.SetItem(enrolled.Device.Device.Value, enrolled.Device));

        /// <summary>An enrolment (or re-enrolment): <see cref="Enrolled"/> and the event, or <see cref="EnrolRefused"/> and nothing.</summary>
        public (object Reply, ImmutableArray<DeviceEnrolled> Events) Decide(Enrol enrol) =>
            Problem(enrol.Device) is { } problem
                ? (new EnrolRefused(problem), [])
                : (new Enrolled(enrol.Device.Listing), [new DeviceEnrolled(enrol.Device)]);

        /// <summary>Why the details cannot be enrolled, or null.</summary>
        public static string? Problem(EnrolledDevice device)
        {
            if (!Fingerprint().IsMatch(device.HostKeyFingerprint))
                return $"'{device.HostKeyFingerprint}' is not an OpenSSH SHA256 fingerprint (SHA256: and 43 base64 characters)";
            if (device.SshPort is < 1 or > 65535)
                return $"port {device.SshPort} is out of range";
            if (string.IsNullOrWhiteSpace(device.SshHost) || device.SshHost.Any(char.IsWhiteSpace))
                return "the SSH host is empty or has spaces";
            if (string.IsNullOrWhiteSpace(device.SshUser) || !UserName().IsMatch(device.SshUser))
                return $"'{device.SshUser}' is not a valid user name";
            if (device.HeartbeatKey.Length < HeartbeatAuthenticator.MinimumKeyBytes * 2 || !device.HeartbeatKey.All(Uri.IsHexDigit))
                return $"the heartbeat key must be at least {HeartbeatAuthenticator.MinimumKeyBytes} bytes of hex";
            return null;
        }

        [GeneratedRegex("^SHA256:[A-Za-z0-9+/]{43}$")]
        private static partial Regex Fingerprint();

        [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")]
        private static partial Regex UserName();
    }
}
