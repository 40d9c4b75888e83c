using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting;
using IoTSync.Hosting;
using IoTSync.Mirror;
using IoTSync.MirrorApi;
using IoTSync.MirrorApi.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.MirrorNode;

/// <summary>
/// <c>iotsync-mirror run</c>: the mirror node on a <see cref="WebApplication"/> — DeviceRegistry, one
/// StateJournal per device, SshReplicator, HealthWatch and the HeartbeatListener
/// (<see cref="MirrorNodeRegistration.AddMirrorNode"/>), and the HTTP API (<see cref="MirrorApiRegistration"/>)
/// on the control socket the CLI uses and on the configured TCP addresses — until SIGTERM or SIGINT (the console lifetime).
/// Everything it creates is owner-only (<see cref="OwnerOnlyFiles"/>).
/// </summary>
public static class MirrorNodeHost
{
    public static async Task<int> Run(Config config, TextWriter stdout, CancellationToken cancellationToken)
    {
        // Before anything is created: the database, its -wal and -shm, the keys and the socket's directory.
        OwnerOnlyFiles.Restrict();
        var databasePath = IoTSync.Persistence.IoTSyncPersistenceSettings.FromConfig(config).DatabasePath;
        var stateDirectory = OwnerOnlyFiles.StateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        // A second mirror on this configuration stops here, before it binds a port or a socket.
        using var nodeLock = NodeLock.Acquire(databasePath, "mirror");
        // A damaged database, or a PostgreSQL journal out of reach, stops the node here, with one line, before a plugin could write to it.
        IoTSync.Persistence.JournalStore.EnsureUsable(config);
        var parts = MirrorNodeParts.FromConfig(config);
        var settings = parts.Settings;

        await using var app = await MirrorWebHost.Build(config, parts, builder =>
        {
            builder.Logging.AddNodeConsole(NodeLogSettings.FromConfig(config));
            // SIGTERM and SIGINT stop the host (the empty builder adds no lifetime itself); under a Type=notify unit
            // it also reports readiness and feeds the watchdog.
            builder.Services.AddNodeLifetime();
        });
        await NodeHost.Start(app, cancellationToken);

        var system = app.Services.GetRequiredService<ActorSystem>();
        var enrolled = await app.Services.GetRequiredService<IRequiredActor<MirrorNodeActors.Registry>>().ActorRef
            .Ask<DeviceCount>(CountDevices.Instance, settings.RequestTimeout, cancellationToken);
        var address = app.Services.GetRequiredService<EdgeSystem>().Address;
        var log = Logging.GetLogger(system, "iotsync-mirror");
        if (stateDirectory is not null)
            log.Info("{0}", stateDirectory);
        log.Info("mirror node running: heartbeats at {0}/user/{1}, {2} device(s) enrolled, control socket {3}, SSH key {4}",
            address, HeartbeatListener.Name, enrolled.Count, settings.ControlSocket, parts.Key.PrivateKeyPath);
        if (parts.Cluster.IsCluster)
            log.Info("cluster member at {0}, seed nodes {1}, devices' journals in {2} shards",
                Akka.Cluster.Cluster.Get(system).SelfAddress, string.Join(", ", parts.Cluster.SeedNodes.Select(s => $"{s.Host}:{s.Port}")), parts.Cluster.Shards);
        var served = MirrorWebHost.TcpAddresses(app).Select(a => a.Scheme == "https"
            ? $"HTTPS API at {a}"
            : $"plain HTTP API at {a} (no TLS: iotsync.mirror.http.tls = off, loopback only)").ToList();
        foreach (var line in served)
            log.Info("{0}", line);
        await stdout.WriteLineAsync($"iotsync-mirror: running, heartbeats at {address}, control socket {settings.ControlSocket}{string.Concat(served.Select(a => "; " + a))}; SIGTERM or Ctrl-C stops it");
        await stdout.FlushAsync(CancellationToken.None);
        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }
}
