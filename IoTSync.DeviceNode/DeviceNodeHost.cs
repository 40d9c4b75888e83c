using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using IoTSync.Configuration;
using IoTSync.Device;
using IoTSync.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IoTSync.DeviceNode;

/// <summary>
/// <c>iotsync-device run</c>: the device node on the generic host — CommandRecorder, HeartbeatSender,
/// NetworkToggler (<see cref="DeviceNodeRegistration.AddDeviceNode"/>) and the control socket that
/// serves exec, status and sync-endpoint — until SIGTERM or SIGINT (the console lifetime).
/// </summary>
public static class DeviceNodeHost
{
    public static async Task<int> Run(Config config, TextWriter stdout, CancellationToken cancellationToken)
    {
        var settings = DeviceNodeSettings.FromConfig(config);
        var databasePath = IoTSync.Persistence.IoTSyncPersistenceSettings.ForDevice(config).DatabasePath;
        // A second node on this configuration stops before anything: its interface belongs to the first.
        using var nodeLock = NodeLock.Acquire(databasePath, "device");
        // The resting state first, before anything else: a node that starts, or restarts after a
        // crash that left the interface up, takes it down before it reads a key or opens its journal.
        var resting = Stopwatch.StartNew();
        var networkInterface = settings.CreateInterface();
        await networkInterface.Down(cancellationToken);
        var firewall = networkInterface is Device.Firewall.FirewalledInterface firewalled
            ? $"; firewall table inet {firewalled.Firewall.Rules.Table} on {firewalled.Firewall.Rules.Interface} admits {string.Join(", ", firewalled.Firewall.Mirrors)} in windows only"
            : "";
        await stdout.WriteLineAsync($"iotsync-device: interface down (resting state, network {settings.Mode.ToString().ToLowerInvariant()}) in {resting.Elapsed.TotalMilliseconds:0.0} ms{firewall}");
        await stdout.FlushAsync(CancellationToken.None);
        // A damaged database stops the node here, with one line, before a plugin could write to it.
        IoTSync.Persistence.DatabaseFile.EnsureUsable(databasePath);
        var parts = DeviceNodeParts.FromConfig(config, settings, networkInterface, settings.ReadHeartbeatKey());

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddNodeConsole(NodeLogSettings.FromConfig(config, settings.Device.ToString()));
        // SIGTERM and SIGINT stop the host (the empty builder adds no lifetime itself); under a Type=notify unit
        // it also reports readiness and feeds the watchdog.
        builder.Services.AddNodeLifetime();
        builder.Services.AddDeviceNode(config, parts);
        using var host = builder.Build();
        await NodeHost.Start(host, cancellationToken);

        var log = Logging.GetLogger(host.Services.GetRequiredService<ActorSystem>(), "iotsync-device");
        log.Info("[{0}] device node running: control socket {1}, mirror {2}, network {3}, cycle {4}, window limit {5}",
            settings.Device, settings.ControlSocket, string.Join(", ", settings.MirrorListenerPaths), settings.Mode.ToString().ToLowerInvariant(),
            DurationText.Of(settings.Cycle.Period), DurationText.Of(settings.Cycle.WindowLimit));
        if (settings.MirrorNameWarning is { } warning)
            log.Warning("[{0}] {1}", settings.Device, warning);
        await stdout.WriteLineAsync($"iotsync-device: {settings.Device} running (control socket {settings.ControlSocket}); SIGTERM or Ctrl-C stops it");
        await stdout.FlushAsync(CancellationToken.None);
        await host.WaitForShutdownAsync(cancellationToken);
        return 0;
    }
}
