using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Serialization;

namespace IoTSync.Protocol;

/// <summary>
/// Device to mirror, once per window: the device's log positions and digest, when it was sent
/// (by the device's clock corrected with the mirror's offset), its configured cycle period (so
/// the mirror knows when it is late), its report of the previous window it closed (none in its
/// first window), a fresh nonce, and an HMAC over all of it with the device's enrolled key.
/// </summary>
public sealed record Heartbeat(
    DeviceId Device,
    LogPosition DeviceLog,
    LogPosition MirrorLogSeen,
    Sha256Hash StateDigest,
    long SentAtUnixMs,
    long CyclePeriodMs,
    WindowReport? PreviousWindow,
    string Nonce,
    string Mac) : IIoTSyncMessage;
