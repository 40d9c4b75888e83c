namespace IoTSync.Mirror;

/// <summary>One enrolled device as the mirror sees it.</summary>
public sealed record DeviceSummary(
    string Device,
    string SshEndpoint,
    string Status,
    long DeviceLogLength,
    long MirrorLogLength,
    long DeliveredThrough,
    int OpenCommands,
    string StateDigest,
    long? LastHeartbeatUnixMs,
    string LastWindow)
{
    /// <summary>What is wrong beyond the status word (a corrupt journal, a divergence, a digest mismatch), naming the entry or the reason; null when nothing is.</summary>
    public string? Problem { get; init; }
}
