using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using IoTSync.Logs;
using Microsoft.Extensions.DependencyInjection;

namespace IoTSync.Device;

/// <summary>
/// Registers the device node's actors on an Akka.Hosting builder: the CommandRecorder, and once it has
/// recovered, the HeartbeatSender and the NetworkToggler; each in the <c>ActorRegistry</c> under its
/// <see cref="DeviceNodeActors"/> key; and the whole node on a host: its actor system, its control
/// socket and its resting state at stop.
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
            .AddAkka(parts.Settings.SystemName, builder => builder.AddIoTSyncSystem(config).AddDeviceActors(parts))
            .AddHostedService<DeviceControlSocketService>()
            .AddHostedService<RestingInterfaceService>();

    /// <summary>The device node's actors, in the registry once the recorder has recovered.</summary>
    public static AkkaConfigurationBuilder AddDeviceActors(this AkkaConfigurationBuilder builder, DeviceNodeParts parts) =>
        builder.WithActors(new ActorStarter((system, registry) => Start(system, registry, parts)));

    private static async Task Start(ActorSystem system, IActorRegistry registry, DeviceNodeParts parts)
    {
        var settings = parts.Settings;
        var device = settings.Device;
        var recorder = system.ActorOf(CommandRecorder.Props(device, parts.Recorder, parts.Runner, parts.Clock), "recorder");
        registry.Register<DeviceNodeActors.Recorder>(recorder);
        // The recorder answers once recovered; nothing may reach the mirror before that.
        await recorder.Ask<SyncView>(LogHolderMessages.GetView.Instance, settings.RequestTimeout);
        var heartbeat = system.ActorOf(HeartbeatSender.Props(device,
            new HeartbeatSenderSettings(settings.MirrorListenerPath, parts.HeartbeatKey, settings.InitialBackoff, settings.GiveUpAfter),
            recorder, parts.Wall), "heartbeat");
        registry.Register<DeviceNodeActors.Heartbeat>(heartbeat);
        registry.Register<DeviceNodeActors.Cycle>(system.ActorOf(NetworkToggler.Props(device, parts.Interface, heartbeat, settings.Cycle, parts.Clock), "cycle"));
    }
}
