using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.DependencyInjection;
using Akka.Hosting;
using IoTSync.Hosting;
using IoTSync.Logs;
using IoTSync.Mirror.Alerts;
using IoTSync.Mirror.Cluster;
using IoTSync.Mirror.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.Mirror;

/// <summary>
/// Registers the mirror node's actors on an Akka.Hosting builder in two systems: the core (DeviceRegistry,
/// ApiTokenStore, StateJournals, SshReplicator, HealthWatch, webhook alerts), with no remoting at all, and the edge
/// (<see cref="EdgeSystem"/>), the only system with remoting, which holds the HeartbeatListener alone and
/// gets the core's actors handed in as <see cref="MirrorCoreRefs"/>. A peer can reach the listener and
/// nothing else: the registry, journals, replicator, health watch and alerts have no address on the network.
/// </summary>
public static class MirrorNodeRegistration
{
    /// <summary>
    /// The mirror node on a host: the core actor system on <paramref name="config"/> and the edge beside
    /// it. The HTTP API (IoTSync.MirrorApi) serves the core's actors to the CLI and applications.
    /// </summary>
    public static IServiceCollection AddMirrorNode(this IServiceCollection services, Config config, MirrorNodeParts parts) =>
        services
            .AddSingleton(parts)
            .AddSingleton<EdgeSystem>()
            .AddAkka(parts.Settings.SystemName, builder => builder.AddMirrorCoreSystem(config, parts).AddMirrorActors(config, parts))
            .AddHostedService<Reverse.MirrorSessionSocketService>();

    /// <summary>
    /// The core's actor system: alone, with no remoting at all; in a cluster, a member of the mirror nodes' Akka.Cluster
    /// on its own address, over mutual TLS that admits mirror certificates only (<see cref="MirrorCluster.CoreHocon"/>).
    /// </summary>
    public static AkkaConfigurationBuilder AddMirrorCoreSystem(this AkkaConfigurationBuilder builder, Config config, MirrorNodeParts parts)
    {
        if (!parts.Cluster.IsCluster)
            return builder.AddIoTSyncCore(config);
        builder.AddIoTSyncSystem(config).AddHocon(MirrorCluster.CoreHocon(parts.Cluster, parts.Settings.SystemName, parts.ClusterTls is not null), HoconAddMode.Prepend);
        if (parts.ClusterTls is { } tls)
            builder.AddSetup(tls.Setup());
        return builder;
    }

    /// <summary>The core's actors, then the edge started beside the core with the core's actors handed in.</summary>
    public static AkkaConfigurationBuilder AddMirrorActors(this AkkaConfigurationBuilder builder, Config config, MirrorNodeParts parts) =>
        builder.AddMirrorCore(parts).AddMirrorEdge(config, parts.Settings.SystemName, parts.Edge);

    /// <summary>
    /// The core: the DeviceRegistry and the ApiTokenStore first, and once they have recovered the devices'
    /// keys and the API tokens, the StateJournals, the SshReplicator, the webhook alerts (when any webhook
    /// is configured) and the HealthWatch.
    /// </summary>
    public static AkkaConfigurationBuilder AddMirrorCore(this AkkaConfigurationBuilder builder, MirrorNodeParts parts) =>
        builder.WithActors(new ActorStarter((system, registry) => StartCore(system, registry, parts)));

    /// <summary>
    /// The edge: its own actor system named <paramref name="name"/> (the name devices address) with the
    /// HeartbeatListener, started once the core's actors are in the registry (the core registers them only
    /// after the device keys have recovered: heartbeats are checked against them).
    /// </summary>
    public static AkkaConfigurationBuilder AddMirrorEdge(this AkkaConfigurationBuilder builder, Config config, string name, MirrorEdgeParts parts) =>
        builder.WithActors(new ActorStarterWithResolver(async (core, registry, resolver) =>
        {
            var refs = await MirrorCoreRefs.From(registry);
            var edge = resolver.GetService<EdgeSystem>().Start(core, name, config, resolver.GetService<ILoggerFactory>(), parts.Tls, refusals: parts.Refusals);
            registry.Register<MirrorNodeActors.Listener>(edge.ActorOf(
                HeartbeatListener.Props(parts.Keys, parts.Admission, refs.Journals, refs.Replicator, parts.Wall, parts.Listener, parts.Refusals), HeartbeatListener.Name));
        }));

    private static async Task StartCore(ActorSystem system, IActorRegistry registry, MirrorNodeParts parts)
    {
        var settings = parts.Settings;
        var (deviceRegistry, tokens) = parts.Cluster.IsCluster
            ? await StartClusterRecords(system, parts)
            : await StartRecords(system, parts);
        registry.Register<MirrorNodeActors.Registry>(deviceRegistry);
        registry.Register<MirrorNodeActors.Tokens>(tokens);
        if (parts.Cluster.IsCluster)
            MirrorCluster.StartFleetView(system, parts.Cluster, parts.Board);
        var journals = parts.Cluster.IsCluster
            ? MirrorCluster.StartJournals(system, parts.Cluster, parts.Journals, parts.Wall, parts.Board)
            : system.ActorOf(StateJournals.Props(parts.Journals, parts.Wall, parts.Board), "devices");
        var replicator = system.ActorOf(SshReplicator.Props(parts.Devices, journals, parts.Opener,
            new SshReplicatorSettings(settings.MaxConcurrentSessions, settings.SessionTimeout, settings.RequestTimeout, parts.Exchange), wall: parts.Wall,
            refusals: parts.Refusals), "replicator");
        // The alerts subscribe to the health changes before the watch publishes any. In a cluster each is one for all
        // the nodes (a singleton): every change judged once, and alerted once (the relay brings it to the alerts' node).
        var watch = HealthWatch.Props(parts.Devices, parts.Board, journals, parts.Wall, parts.LateWatch);
        if (parts.Cluster.IsCluster)
        {
            if (parts.Alerts.Webhooks.Length > 0)
                Singleton(system, "alerts", WebhookAlerts.Props(parts.Alerts, parts.Wall));
            registry.Register<MirrorNodeActors.LateWatch>(Singleton(system, "late-watch", watch));
        }
        else
        {
            if (parts.Alerts.Webhooks.Length > 0)
                system.ActorOf(WebhookAlerts.Props(parts.Alerts, parts.Wall), "alerts");
            registry.Register<MirrorNodeActors.LateWatch>(system.ActorOf(watch, "late-watch"));
        }
        registry.Register<MirrorNodeActors.Replicator>(replicator);
        registry.Register<MirrorNodeActors.Journals>(journals);
    }

    /// <summary>A single node's registry and token store, each the one writer of its journal and the publisher of its cache, once recovered.</summary>
    private static async Task<(IActorRef Registry, IActorRef Tokens)> StartRecords(ActorSystem system, MirrorNodeParts parts)
    {
        var deviceRegistry = system.ActorOf(JournalSupervisor.Props(DeviceRegistry.Props(parts.Devices), "journal", DeviceRegistry.Id, parts.Journals.Journal.Restart), "registry");
        var tokens = system.ActorOf(JournalSupervisor.Props(ApiTokenStore.Props(parts.Tokens, parts.Wall), "journal", ApiTokenStore.Id, parts.Journals.Journal.Restart), "tokens");
        // Heartbeats are checked against the registry's keys and requests against the tokens: wait until both have recovered.
        await deviceRegistry.Ask<DeviceCount>(CountDevices.Instance, parts.Settings.RequestTimeout);
        await tokens.Ask<ApiTokenStoreMessages.TokenList>(ApiTokenStoreMessages.ListTokens.Instance, parts.Settings.RequestTimeout);
        return (deviceRegistry, tokens);
    }

    /// <summary>
    /// A cluster node's registry and token store: each one writer in the whole cluster (a cluster singleton, reached
    /// through its proxy), whose caches are not this node's; every node follows both journals and publishes what they
    /// hold to its own caches (<see cref="JournalFollower{TState}"/>). Started once this node's copies have caught up.
    /// </summary>
    private static async Task<(IActorRef Registry, IActorRef Tokens)> StartClusterRecords(ActorSystem system, MirrorNodeParts parts)
    {
        var restart = parts.Journals.Journal.Restart;
        var deviceRegistry = Singleton(system, "registry",
            JournalSupervisor.Props(DeviceRegistry.Props(new DeviceKeyCache(parts.Devices.RotationOverlap)), "journal", DeviceRegistry.Id, restart));
        var tokens = Singleton(system, "tokens",
            JournalSupervisor.Props(ApiTokenStore.Props(new ApiTokenCache(parts.Wall), parts.Wall), "journal", ApiTokenStore.Id, restart));
        var readJournal = Persistence.SqlitePersistence.ReadJournalPluginId;
        var registryFollower = system.ActorOf(JournalFollower<RegistryState>.Props(DeviceRegistry.Id, readJournal, RegistryState.Empty,
            (state, @event) => state.Apply((Serialization.IIoTSyncMessage)@event), parts.Devices.Replace), "registry-follower");
        var tokensFollower = system.ActorOf(JournalFollower<ApiTokensState>.Props(ApiTokenStore.Id, readJournal, ApiTokensState.Empty,
            (state, @event) => state.Apply((Serialization.IIoTSyncMessage)@event), parts.Tokens.Replace), "tokens-follower");
        var timeout = parts.Settings.RequestTimeout;
        await registryFollower.Ask<JournalFollowerMessages.CaughtUp>(JournalFollowerMessages.AwaitCaughtUp.Instance, timeout);
        await tokensFollower.Ask<JournalFollowerMessages.CaughtUp>(JournalFollowerMessages.AwaitCaughtUp.Instance, timeout);
        return (deviceRegistry, tokens);
    }

    /// <summary>The singleton <paramref name="name"/>'s manager on this node (it runs on the oldest) and the proxy this node reaches it through.</summary>
    private static IActorRef Singleton(ActorSystem system, string name, Props props)
    {
        system.ActorOf(ClusterSingletonManager.Props(props, PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system).WithSingletonName(name)),
            $"{name}-singleton");
        return system.ActorOf(ClusterSingletonProxy.Props($"/user/{name}-singleton", ClusterSingletonProxySettings.Create(system).WithSingletonName(name)), name);
    }
}
