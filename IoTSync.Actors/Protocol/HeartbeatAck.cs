using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Serialization;

namespace IoTSync.Protocol;

/// <summary>
/// Mirror to device: what to do, the mirror log's position, the mirror's time (so a device
/// without a time service can keep an offset), and an HMAC binding it to the heartbeat's nonce.
/// </summary>
public sealed record HeartbeatAck(
    DeviceId Device,
    HeartbeatAction Action,
    string SessionId,
    LogPosition MirrorLog,
    long MirrorTimeUnixMs,
    string Reason,
    string HeartbeatNonce,
    string Mac) : IIoTSyncMessage
{
    /// <summary>
    /// The reason of a refusal for a heartbeat sent outside the mirror's time window: the device
    /// takes the mirror's time from the ack and sends again.
    /// </summary>
    public const string ClockSkew = "clock-skew";
}
