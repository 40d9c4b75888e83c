using IoTSync.Model;

namespace IoTSync.Mirror;

/// <summary>
/// An enrolled device as it may be shown or handed on: everything the registry holds of it except its
/// heartbeat key, which leaves the registry only to the code that checks MACs (<see cref="IDeviceKeys"/>).
/// </summary>
public sealed record DeviceListing(DeviceId Device, string SshHost, int SshPort, string SshUser, string HostKeyFingerprint, long EnrolledAtUnixMs);
