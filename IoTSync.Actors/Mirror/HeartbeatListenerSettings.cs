namespace IoTSync.Mirror;

/// <summary>Settings of the <see cref="HeartbeatListener"/>.</summary>
public sealed record HeartbeatListenerSettings(TimeSpan TimeWindow, TimeSpan JournalTimeout)
{
    public static HeartbeatListenerSettings Default { get; } = new(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(5));
}
