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
    string LastWindow);
