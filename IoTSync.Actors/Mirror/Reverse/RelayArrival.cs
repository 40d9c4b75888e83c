using IoTSync.Control;
using IoTSync.Model;

namespace IoTSync.Mirror.Reverse;

/// <summary>
/// The first frame on the mirror's session socket: the relay (<c>iotsync-sync-relay --device ID</c>,
/// forced by the mirror host's authorized_keys) names the device whose key logged in; the id comes
/// from the forced command, never from the client. The exchange follows on the same connection.
/// </summary>
public sealed record RelayArrival(DeviceId Device) : ControlMessage;
