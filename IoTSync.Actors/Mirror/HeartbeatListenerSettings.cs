using IoTSync.Protocol;

namespace IoTSync.Mirror;

/// <summary>Settings of the <see cref="HeartbeatListener"/>: the time window, the journal's answer bound, the per-device rate limit.</summary>
public sealed record HeartbeatListenerSettings(TimeSpan TimeWindow, TimeSpan JournalTimeout, HeartbeatRate Rate)
{
    /// <summary>How long a device's heartbeat may wait for its decision before a later heartbeat of the device asks its journal again.</summary>
    public TimeSpan AskAgainAfter { get; init; } = TimeSpan.FromSeconds(1);

    public static HeartbeatListenerSettings Default { get; } = new(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(5), HeartbeatRate.Default);
}
