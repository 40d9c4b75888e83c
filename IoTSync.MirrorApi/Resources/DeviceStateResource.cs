using IoTSync.Logs;

namespace IoTSync.MirrorApi.Resources;

/// <summary>
/// One device's mirrored state: both logs' heads, the state digest over them, how far the device
/// confirmed the mirror log, the properties and the open commands, and what is wrong, if anything.
/// </summary>
public sealed record DeviceStateResource(
    string Device,
    SyncViewResource View,
    long DeliveredThrough,
    IReadOnlyDictionary<string, string> Properties,
    IReadOnlyList<OpenCommandResource> OpenCommands,
    string? Divergence,
    string? Corruption,
    string? Mismatch);

/// <summary>Both logs' heads and the state digest over them: the same document the device's <c>status</c> shows, so the two compare as text.</summary>
public sealed record SyncViewResource(LogHeadResource DeviceLog, LogHeadResource MirrorLog, string StateDigest)
{
    /// <summary>As the nodes' own type, to compare with what the device holds.</summary>
    public SyncView ToView() => new(DeviceLog.ToPosition(), MirrorLog.ToPosition(), Sha256Hash.Parse(StateDigest));
}

/// <summary>A log's length (its update number) and the hash of its newest entry (full, hex).</summary>
public sealed record LogHeadResource(long Length, string Head)
{
    public LogPosition ToPosition() => new(Length, Sha256Hash.Parse(Head));
}

/// <summary>A command no result has closed yet: <c>origin</c> and sequence, its argument vector, whether cancelling.</summary>
public sealed record OpenCommandResource(string Origin, long Sequence, IReadOnlyList<string> Argv, bool Cancelling);
