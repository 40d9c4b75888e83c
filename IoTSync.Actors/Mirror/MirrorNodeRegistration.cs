using Akka.Actor;
using Akka.Configuration;
using Akka.DependencyInjection;
using Akka.Hosting;
using IoTSync.Hosting;
using IoTSync.Logs;
using IoTSync.Mirror.Alerts;
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
            .AddAkka(parts.Settings.SystemName, builder => builder.AddIoTSyncCore(config).AddMirrorActors(config, parts))
            .AddHostedService<Reverse.MirrorSessionSocketService>();

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
        var deviceRegistry = system.ActorOf(JournalSupervisor.Props(DeviceRegistry.Props(parts.Devices), "journal", DeviceRegistry.Id, parts.Journals.Journal.Restart), "registry");
        registry.Register<MirrorNodeActors.Registry>(deviceRegistry);
        var tokens = system.ActorOf(JournalSupervisor.Props(ApiTokenStore.Props(parts.Tokens, parts.Wall), "journal", ApiTokenStore.Id, parts.Journals.Journal.Restart), "tokens");
        // Heartbeats are checked against the registry's keys: wait until it has recovered them.
        await deviceRegistry.Ask<Devices>(ListDevices.Instance, settings.RequestTimeout);
        // Requests are authenticated against the tokens' cache: the store is registered once it has recovered them.
        await tokens.Ask<ApiTokenStoreMessages.TokenList>(ApiTokenStoreMessages.ListTokens.Instance, settings.RequestTimeout);
        registry.Register<MirrorNodeActors.Tokens>(tokens);
        var journals = system.ActorOf(StateJournals.Props(parts.Journals, parts.Wall), "devices");
        var replicator = system.ActorOf(SshReplicator.Props(parts.Devices, journals, parts.Opener,
            new SshReplicatorSettings(settings.MaxConcurrentSessions, settings.SessionTimeout, settings.RequestTimeout, parts.Exchange), wall: parts.Wall,
            refusals: parts.Refusals), "replicator");
        // The alerts subscribe to the health changes before the watch publishes any.
        if (parts.Alerts.Webhooks.Length > 0)
            system.ActorOf(WebhookAlerts.Props(parts.Alerts, parts.Wall), "alerts");
        registry.Register<MirrorNodeActors.LateWatch>(system.ActorOf(HealthWatch.Props(parts.Devices, journals, parts.Wall, parts.LateWatch), "late-watch"));
        registry.Register<MirrorNodeActors.Replicator>(replicator);
        registry.Register<MirrorNodeActors.Journals>(journals);
    }
}
