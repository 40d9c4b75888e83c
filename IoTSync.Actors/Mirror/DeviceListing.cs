using System.Text.Json.Serialization;
using IoTSync.Model;

namespace IoTSync.Mirror;

/// <summary>
/// An enrolled device as it may be shown or handed on: everything the registry holds of it except its
/// heartbeat keys (current and retired), which leave the registry only to the code that checks MACs
/// (<see cref="IDeviceKeys"/>). <see cref="Disabled"/>: nothing from or to the device is admitted.
/// <see cref="MirrorKeyFile"/>: the file of the mirror's SSH key for this device since a rotation (a path,
/// not the key); empty for the node's own key. <see cref="Certificate"/>: the TLS certificate pinned for it, if any.
/// <see cref="Mode"/>: who opens its sessions; <see cref="DeviceSshKey"/>: a reverse device's public key (no address then).
/// </summary>
public sealed record DeviceListing(DeviceId Device, string SshHost, int SshPort, string SshUser, string HostKeyFingerprint, long EnrolledAtUnixMs,
    bool Disabled = false, string MirrorKeyFile = "", CertificatePin? Certificate = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] SessionMode Mode = SessionMode.Direct,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DeviceSshKey = null)
{
    /// <summary>Where its sessions come from, for a log line: the SSH endpoint the mirror dials, or the device dialling in.</summary>
    public string Endpoint => Mode == SessionMode.Reverse ? "reverse (the device dials in)" : $"{SshUser}@{SshHost}:{SshPort}";
}
