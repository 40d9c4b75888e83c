using IoTSync.Protocol;

namespace IoTSync.Mirror;

/// <summary>Settings of the <see cref="HeartbeatListener"/>: the time window, the journal's answer bound, the per-device rate limit.</summary>
public sealed record HeartbeatListenerSettings(TimeSpan TimeWindow, TimeSpan JournalTimeout, HeartbeatRate Rate)
{
    public static HeartbeatListenerSettings Default { get; } = new(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(5), HeartbeatRate.Default);
}
