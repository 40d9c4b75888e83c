using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using IoTSync.Hosting;
using IoTSync.Logs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IoTSync.Device;

/// <summary>
/// Registers the device node's actors on an Akka.Hosting builder: the CommandRecorder (under a
/// <see cref="JournalSupervisor"/>, which restarts it after a failed write), and once it has
/// recovered, the HeartbeatSender and the NetworkToggler; each in the <c>ActorRegistry</c> under its
/// <see cref="DeviceNodeActors"/> key; and the whole node on a host: its actor systems, its control
/// socket and its resting state at stop. The recorder and the toggler live in the core system, which has
/// no remoting; the HeartbeatSender alone lives in the edge (<see cref="EdgeSystem"/>), the only system
/// the mirror's answers can reach.
/// </summary>
public static class DeviceNodeRegistration
{
    /// <summary>
    /// The device node on a host: the actor system named for the device, on <paramref name="config"/>,
    /// with <see cref="AddDeviceActors"/>; then the control socket; at stop the interface goes down first
    /// (hosted services stop in reverse order), then the socket closes, then the actors stop.
    /// </summary>
    public static IServiceCollection AddDeviceNode(this IServiceCollection services, Config config, DeviceNodeParts parts) =>
        services
            .AddSingleton(parts)
            .AddSingleton<EdgeSystem>()
            .AddAkka(parts.Settings.SystemName, builder => builder.AddIoTSyncCore(config).AddDeviceActors(config, parts))
            .AddHostedService<DeviceControlSocketService>()
            .AddHostedService<RestingInterfaceService>();

    /// <summary>The device node's actors, in the registry once the recorder has recovered.</summary>
    public static AkkaConfigurationBuilder AddDeviceActors(this AkkaConfigurationBuilder builder, Config config, DeviceNodeParts parts) =>
        builder.WithActors(new ActorStarterWithResolver((system, registry, resolver) =>
        {
            var edge = resolver.GetService<EdgeSystem>();
            return Start(system, registry, parts, populate => edge.Start(system, parts.Settings.SystemName, config,
                resolver.GetService<ILoggerFactory>(), parts.Tls, populate, parts.Settings.EdgeRestartAfter, parts.Refusals), edge.Recycle);
        }));

    /// <summary>
    /// The recorder, then the edge with the HeartbeatSender, then the cycle. The cycle reaches the sender
    /// through an <see cref="EdgeGateway"/>: a failed TLS handshake with a wrong mirror ends the edge, and
    /// the edge started again gets a new sender; the cycle keeps running dark meanwhile.
    /// </summary>
    private static async Task Start(ActorSystem system, IActorRegistry registry, DeviceNodeParts parts, Action<Action<ActorSystem>> startEdge, Action recycleEdge)
    {
        var settings = parts.Settings;
        var device = settings.Device;
        var recorder = system.ActorOf(JournalSupervisor.Props(CommandRecorder.Props(device, parts.Recorder, parts.Runner, parts.Clock, parts.Refusals),
            "journal", device.Value, parts.Recorder.Journal.Restart), "recorder");
        registry.Register<DeviceNodeActors.Recorder>(recorder);
        // The recorder answers once recovered; nothing may reach the mirror before that. A journal that
        // fails its recovery check is answered with CorruptJournalException; one that does not recover
        // at all stops the recorder (its ERROR line says why): either way the node stops here.
        var recovered = recorder.Ask<SyncView>(LogHolderMessages.GetView.Instance, settings.RequestTimeout);
        if (await Task.WhenAny(recovered, recorder.WatchAsync()) != recovered)
            throw new IOException($"the journal of {CommandRecorder.PersistenceIdPrefix}{device} did not recover (the node's log says why); nothing was run or sent");
        await recovered;
        var heartbeat = system.ActorOf(EdgeGateway.Props(), "heartbeat");
        startEdge(edge => heartbeat.Tell(new EdgeGateway.Target(edge.ActorOf(HeartbeatSender.Props(device,
            new HeartbeatSenderSettings(settings.MirrorListenerPaths, parts.HeartbeatKey, settings.InitialBackoff, settings.GiveUpAfter),
            recorder, parts.Wall, parts.Refusals, recycleEdge, parts.LastMirror), "heartbeat"))));
        registry.Register<DeviceNodeActors.Heartbeat>(heartbeat);
        // Reverse mode: the device opens the session itself, with the control socket's session code.
        var dialer = parts.Reverse is { } reverse
            ? system.ActorOf(ReverseDialer.Props(device, reverse, new DeviceSyncSession(device, recorder, parts.Exchange, settings.RequestTimeout,
                Akka.Event.Logging.GetLogger(system, "iotsync-device"), parts.Refusals, parts.Wall, parts.LastSync), settings.Cycle.WindowLimit,
                parts.Exchange.CloseGrace, parts.Refusals, parts.LastMirror), "dialer")
            : null;
        registry.Register<DeviceNodeActors.Cycle>(system.ActorOf(NetworkToggler.Props(device, parts.Interface, heartbeat, settings.Cycle, parts.Clock, dialer), "cycle"));
    }
}
