using Akka.Configuration;
using IoTSync.Configuration;

namespace IoTSync.Mirror.Cluster;

/// <summary><c>iotsync.mirror.cluster.board</c>: how a cluster's <see cref="DeviceBoard"/> is kept in Distributed Data (<see cref="BoardReplicator"/>).</summary>
/// <param name="Keys">How many Distributed Data keys the summaries are split over (by a hash of the device id); every node must say the same.</param>
/// <param name="FlushEvery">How often a node writes the summaries its journals posted since.</param>
public sealed record BoardSettings(int Keys, TimeSpan FlushEvery)
{
    public const string ConfigPath = MirrorClusterSettings.ConfigPath + ".board";

    /// <summary>What a configuration without the section means.</summary>
    public static BoardSettings Default { get; } = new(100, TimeSpan.FromMilliseconds(200));

    /// <summary>Reads <c>iotsync.mirror.cluster.board</c>; the defaults where it is missing.</summary>
    public static BoardSettings FromConfig(Config root) => !root.HasPath(ConfigPath)
        ? Default
        : new(root.RequireInt($"{ConfigPath}.keys", 1, 10_000), root.RequireDuration($"{ConfigPath}.flush-every", TimeSpan.FromMilliseconds(10)));
}
