using System.Collections.Immutable;
using Akka.Configuration;
using IoTSync.Configuration;

namespace IoTSync.Mirror.Cluster;

/// <summary>
/// <c>iotsync.mirror.cluster</c>: whether the mirror node runs alone (<see cref="IsCluster"/> false, its core with no
/// remoting) or as a member of an Akka.Cluster of mirror nodes, and that cluster's shape.
/// </summary>
/// <param name="IsCluster">Mode <c>cluster</c>.</param>
/// <param name="Hostname">This node's cluster host.</param>
/// <param name="Port">This node's cluster port (not the device edge's).</param>
/// <param name="SeedNodes">The seed nodes as HOST:PORT, in order.</param>
/// <param name="Shards">How many shards the devices' journals are spread over.</param>
/// <param name="PassivateIdleAfter">A device journal idle this long is stopped.</param>
/// <param name="DownUnreachableAfter">The split-brain resolver's stable-after.</param>
public sealed record MirrorClusterSettings(
    bool IsCluster,
    string Hostname,
    int Port,
    ImmutableArray<(string Host, int Port)> SeedNodes,
    int Shards,
    TimeSpan PassivateIdleAfter,
    TimeSpan DownUnreachableAfter)
{
    public const string ConfigPath = "iotsync.mirror.cluster";

    /// <summary>How the device board is replicated among the nodes (<c>board</c>).</summary>
    public BoardSettings Board { get; init; } = BoardSettings.Default;

    /// <summary>One node alone, as a lab runs it (and as a configuration without the section means).</summary>
    public static MirrorClusterSettings Single { get; } = new(false, "127.0.0.1", 0, [], 100, TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(5));

    /// <summary>Reads and checks <c>iotsync.mirror.cluster</c>; every error names its key.</summary>
    public static MirrorClusterSettings FromConfig(Config root)
    {
        if (!root.HasPath(ConfigPath))
            return Single;
        var mode = root.RequireString($"{ConfigPath}.mode");
        var isCluster = mode switch
        {
            "single" => false,
            "cluster" => true,
            _ => throw new ConfigurationException($"{ConfigPath}.mode must be 'single' or 'cluster', not '{mode}'"),
        };
        var hostname = root.RequireString($"{ConfigPath}.hostname");
        var port = root.RequireInt($"{ConfigPath}.port", 0, 65535);
        var seeds = root.StringList($"{ConfigPath}.seed-nodes").Select(text =>
            HostPort.TryParse(text, out var host, out var seedPort)
                ? (host, seedPort)
                : throw new ConfigurationException($"{ConfigPath}.seed-nodes: '{text}' is not HOST:PORT")).ToImmutableArray();
        if (isCluster && seeds.IsEmpty)
            throw new ConfigurationException($"{ConfigPath}.seed-nodes is empty: a cluster node needs at least one seed node (itself, for the first)");
        // Every node hosts any device's journal in turn: they must share one journal.
        if (isCluster && Persistence.IoTSyncPersistenceSettings.ReadProvider(root) != Persistence.PersistenceProvider.PostgreSql)
            throw new ConfigurationException($"{ConfigPath}.mode = cluster needs a journal every node reaches: set iotsync.persistence.provider = postgresql");
        if (isCluster && port == 0)
            throw new ConfigurationException($"{ConfigPath}.port is 0: the other nodes must know where to reach this one (its seed-nodes entry)");
        return new MirrorClusterSettings(isCluster, hostname, port, seeds,
            root.RequireInt($"{ConfigPath}.shards", 1, 100_000),
            root.RequireDuration($"{ConfigPath}.passivate-idle-after", TimeSpan.FromSeconds(1)),
            root.RequireDuration($"{ConfigPath}.down-unreachable-after", TimeSpan.FromSeconds(1)))
        {
            Board = BoardSettings.FromConfig(root),
        };
    }
}
