namespace IoTSync.MirrorApi.Resources;

/// <summary>
/// One enrolled device as the API lists it: its status (<c>ok</c>, <c>dark</c>, <c>late</c>,
/// <c>failing</c>, <c>never-seen</c>, <c>diverged</c>, <c>corrupt</c>, <c>mismatch</c> or <c>disabled</c>) and
/// what is wrong beyond that word, when it last called home and its last window, its update numbers
/// (the length of each log: what changed since is asked with them), and its open commands.
/// <see cref="Mode"/>: <c>direct</c> (the mirror dials <see cref="Ssh"/>) or <c>reverse</c> (the device dials in).
/// </summary>
public sealed record DeviceResource(
    string Device,
    string Status,
    string? Problem,
    bool Disabled,
    string Ssh,
    long? LastHeartbeatUnixMs,
    WindowSummary? LastWindow,
    long DeviceLogLength,
    long MirrorLogLength,
    long DeliveredThrough,
    int OpenCommands,
    string StateDigest,
    string Mode = "direct");

/// <summary>A window as the device measured it: from its interface going up to going down.</summary>
public sealed record WindowSummary(int Number, long DurationMs, long UsableAfterMs, string Outcome);

/// <summary>Every enrolled device, in id order.</summary>
public sealed record DeviceList(IReadOnlyList<DeviceResource> Devices);
