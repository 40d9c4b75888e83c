using System.Collections.Immutable;
using IoTSync.Model;
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
}

/// <summary>What the <see cref="DeviceRegistry"/> is asked, answers and stores.</summary>
public static class DeviceRegistryMessages
{
    /// <summary>Enrol a device, or re-enrol it with new details. Answered with <see cref="Enrolled"/> or <see cref="EnrolRefused"/>.</summary>
    public sealed record Enrol(EnrolledDevice Device) : IIoTSyncMessage;

    public sealed record Enrolled(EnrolledDevice Device) : IIoTSyncMessage;

    public sealed record EnrolRefused(string Reason) : IIoTSyncMessage;

    /// <summary>Answered with <see cref="Devices"/>.</summary>
    public sealed record ListDevices : IIoTSyncMessage
    {
        public static ListDevices Instance { get; } = new();
    }

    public sealed record Devices(ImmutableArray<EnrolledDevice> All) : IIoTSyncMessage;

    /// <summary>Journal event: a device was enrolled (or its details replaced).</summary>
    public sealed record DeviceEnrolled(EnrolledDevice Device) : IIoTSyncMessage;

    /// <summary>The registry's snapshot.</summary>
    public sealed record RegistryState(ImmutableSortedDictionary<string, EnrolledDevice> ById) : IIoTSyncMessage
    {
        public static RegistryState Empty { get; } = new(ImmutableSortedDictionary.Create<string, EnrolledDevice>(StringComparer.Ordinal));

        public RegistryState Apply(DeviceEnrolled enrolled) => new(ById.SetItem(enrolled.Device.Device.Value, enrolled.Device));
    }
}
