using Akka.Configuration;
using IoTSync.Configuration;

namespace IoTSync.Protocol;

/// <summary>
/// The per-device heartbeat rate limit, a token bucket: at most <see cref="Burst"/> heartbeats at once,
/// refilled by one every <see cref="RefillEvery"/>. A device sends one heartbeat per window and a few
/// retries; anything past the limit is a stolen key flooding, or a bug.
/// </summary>
public sealed record HeartbeatRate(int Burst, TimeSpan RefillEvery)
{
    public static HeartbeatRate Default { get; } = new(20, TimeSpan.FromMilliseconds(100));

    public static HeartbeatRate FromConfig(Config root) => new(
        root.RequireInt("iotsync.mirror.heartbeat-rate.burst", 1, 1_000_000),
        root.RequireDuration("iotsync.mirror.heartbeat-rate.refill-every"));
}
