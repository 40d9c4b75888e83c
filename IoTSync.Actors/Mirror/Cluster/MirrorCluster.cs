using System.Globalization;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using IoTSync.Logs;

namespace IoTSync.Mirror.Cluster;

/// <summary>
/// The core of a mirror node in cluster mode: its Akka.Cluster membership (over mutual TLS among mirror nodes)
/// and the Cluster.Sharding region of the devices' journals, whose entity is the same
/// <see cref="StateJournalEntity"/> the single node's <see cref="StateJournals"/> makes.
/// </summary>
public static class MirrorCluster
{
    /// <summary>The sharding type name of the devices' journals.</summary>
    public const string JournalsTypeName = "state-journal";

    /// <summary>
    /// In front of the node's HOCON for the core: provider cluster on the cluster's own address (the node file's
    /// <c>akka.remote</c> keys are the device edge's: untrusted mode and no transport heartbeats are taken back
    /// here, since mirror nodes are peers that watch each other), the seed nodes, keep-majority split-brain
    /// resolution, sharding on Distributed Data with no remembered entities and idle passivation.
    /// </summary>
    public static Config CoreHocon(MirrorClusterSettings settings, string systemName, bool tls)
    {
        var scheme = tls ? "akka.ssl.tcp" : "akka.tcp";
        var seeds = string.Join(", ", settings.SeedNodes.Select(s => Persistence.HoconText.Quote($"{scheme}://{systemName}@{HostText(s.Host)}:{s.Port}")));
        var tlsHocon = tls ? Security.EdgeTls.Hocon.ToString() : "akka.remote.dot-netty.tcp.enable-ssl = off";
        return ConfigurationFactory.ParseString($$"""
            akka.actor.provider = cluster
            akka.remote.untrusted-mode = off
            akka.remote.trusted-selection-paths = []
            akka.remote.dot-netty.tcp.hostname = {{Persistence.HoconText.Quote(settings.Hostname)}}
            akka.remote.dot-netty.tcp.port = {{settings.Port.ToString(CultureInfo.InvariantCulture)}}
            akka.remote.retry-gate-closed-for = 1s
            akka.remote.transport-failure-detector.heartbeat-interval = 4s
            akka.remote.transport-failure-detector.acceptable-heartbeat-pause = 120s
            {{tlsHocon}}
            akka.cluster.seed-nodes = [{{seeds}}]
            akka.cluster.downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
            akka.cluster.split-brain-resolver.active-strategy = keep-majority
            akka.cluster.split-brain-resolver.stable-after = {{Millis(settings.DownUnreachableAfter)}}
            akka.cluster.run-coordinated-shutdown-when-down = on
            akka.cluster.sharding.state-store-mode = ddata
            akka.cluster.sharding.remember-entities = off
            akka.cluster.sharding.passivate-idle-entity-after = {{Millis(settings.PassivateIdleAfter)}}
            """);
    }

    /// <summary>
    /// Starts this node's region of the devices' journals (it hosts entities and routes to the others'); the entities living
    /// here post their summaries to <paramref name="board"/>.
    /// </summary>
    public static IActorRef StartJournals(ActorSystem system, MirrorClusterSettings settings, StateJournalSettings journals, IWallClock wall,
        DeviceBoard? board = null) =>
        ClusterSharding.Get(system).Start(JournalsTypeName, entityId => StateJournalEntity.Props(new Model.DeviceId(entityId), journals, wall, board),
            ClusterShardingSettings.Create(system), new DeviceMessageExtractor(settings.Shards));

    /// <summary>
    /// This node's part in what every node sees of the whole fleet: the <see cref="BoardReplicator"/> that keeps
    /// <paramref name="board"/> in Distributed Data (the journals' posts go to it from now on), and the
    /// <see cref="ClusterEventRelay"/> that carries the node events between the nodes. Started before the journals.
    /// </summary>
    public static void StartFleetView(ActorSystem system, MirrorClusterSettings settings, DeviceBoard board)
    {
        // The extensions are made here, on this thread, one after the other and before sharding's: made at once on
        // several threads, their default configurations are merged into the system's concurrently, and the
        // Distributed Data replicator failed to start in one run out of two.
        var replicator = Akka.DistributedData.DistributedData.Get(system).Replicator;
        var mediator = Akka.Cluster.Tools.PublishSubscribe.DistributedPubSub.Get(system).Mediator;
        board.ReplicateThrough(system.ActorOf(BoardReplicator.Props(board, settings.Board, replicator), "device-board"));
        system.ActorOf(ClusterEventRelay.Props(mediator), "cluster-events");
    }

    private static string HostText(string host) => host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;

    private static string Millis(TimeSpan span) => ((long)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
}
