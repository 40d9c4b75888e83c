using IoTSync.Journal;
using IoTSync.Model;
using IoTSync.Serialization;

namespace IoTSync.Protocol;

/// <summary>What the mirror asks of the device after a heartbeat.</summary>
public enum HeartbeatAction
{
    /// <summary>Both sides hold both logs: the window ends at once.</summary>
    None = 1,

    /// <summary>The mirror opens an exchange session now.</summary>
    Sync = 2,

    /// <summary>The mirror will not sync this device (diverged, unknown, or refused); the window ends.</summary>
    Refused = 3,
}

/// <summary>
/// The device's own account of one closed window, measured on its monotonic clock from interface
/// up to interface down: its number (counted from 1 since the device node started), how long it
/// was, when the interface became usable, and how it ended ("nothing to sync", "synced", ...).
/// </summary>
public sealed record WindowReport(int Number, long DurationMs, long UsableAfterMs, string Outcome)
{
    public override string ToString() => $"window {Number}: {DurationMs} ms (usable after {UsableAfterMs} ms), {Outcome}";
}

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
