using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.Mirror;

/// <summary>
/// Registers the mirror node's actors on an Akka.Hosting builder in two groups: the core (DeviceRegistry,
/// StateJournals, SshReplicator, LateDeviceWatch), which needs no remoting, and the edge (the
/// HeartbeatListener), the only actor reachable from the network, which gets the core's actors handed
/// in as <see cref="MirrorCoreRefs"/>. Today both run in one actor system; the edge can move to a
/// system of its own, the only one with remoting, by giving it the core system's registry.
/// </summary>
public static class MirrorNodeRegistration
{
    /// <summary>
    /// The mirror node on a host: the actor system on <paramref name="config"/> with core and edge,
    /// and the control socket, which opens once the core's actors are in the registry.
    /// </summary>
    public static IServiceCollection AddMirrorNode(this IServiceCollection services, Config config, MirrorNodeParts parts) =>
        services
            .AddSingleton(parts)
            .AddAkka(parts.Settings.SystemName, builder => builder.AddIoTSyncSystem(config).AddMirrorActors(parts))
            .AddHostedService<MirrorControlSocketService>();

    /// <summary>Core and edge in one actor system: the edge finds the core's actors in the same registry.</summary>
    public static AkkaConfigurationBuilder AddMirrorActors(this AkkaConfigurationBuilder builder, MirrorNodeParts parts) =>
        builder.AddMirrorCore(parts).AddMirrorEdge(parts.Edge, (registry, cancellationToken) => MirrorCoreRefs.From(registry, cancellationToken));

    /// <summary>
    /// The core: the DeviceRegistry first, and once it has recovered the devices' keys, the
    /// StateJournals, the SshReplicator and the LateDeviceWatch.
    /// </summary>
    public static AkkaConfigurationBuilder AddMirrorCore(this AkkaConfigurationBuilder builder, MirrorNodeParts parts) =>
        builder.WithActors(new ActorStarter((system, registry) => StartCore(system, registry, parts)));

    /// <summary>
    /// The edge: the HeartbeatListener, started once <paramref name="core"/> gives the core's actors
    /// (which the core registers only after the device keys have recovered: heartbeats are checked against them).
    /// </summary>
    public static AkkaConfigurationBuilder AddMirrorEdge(this AkkaConfigurationBuilder builder, MirrorEdgeParts parts,
        Func<IActorRegistry, CancellationToken, Task<MirrorCoreRefs>> core) =>
        builder.WithActors(new ActorStarter(async (system, registry) =>
        {
            var refs = await core(registry, CancellationToken.None);
            registry.Register<MirrorNodeActors.Listener>(system.ActorOf(
                HeartbeatListener.Props(parts.Keys, refs.Journals, refs.Replicator, parts.Wall, parts.Listener), HeartbeatListener.Name));
        }));

    private static async Task StartCore(ActorSystem system, IActorRegistry registry, MirrorNodeParts parts)
    {
        var settings = parts.Settings;
        var deviceRegistry = system.ActorOf(DeviceRegistry.Props(parts.Devices), "registry");
        registry.Register<MirrorNodeActors.Registry>(deviceRegistry);
        // Heartbeats are checked against the registry's keys: wait until it has recovered them.
        await deviceRegistry.Ask<Devices>(ListDevices.Instance, settings.RequestTimeout);
        var journals = system.ActorOf(StateJournals.Props(parts.Journals, parts.Wall), "devices");
        var replicator = system.ActorOf(SshReplicator.Props(parts.Devices, journals, parts.Opener,
            new SshReplicatorSettings(settings.MaxConcurrentSessions, settings.SessionTimeout, settings.RequestTimeout, parts.Exchange), wall: parts.Wall), "replicator");
        registry.Register<MirrorNodeActors.LateWatch>(system.ActorOf(LateDeviceWatch.Props(parts.Devices, journals, parts.Wall, parts.LateWatch), "late-watch"));
        registry.Register<MirrorNodeActors.Replicator>(replicator);
        registry.Register<MirrorNodeActors.Journals>(journals);
    }
}
