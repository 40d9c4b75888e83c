using Akka.Actor;
using Akka.Configuration;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Security;

namespace IoTSync.Fleet;

/// <summary>
/// The simulated devices' edges: actor systems with Akka.Remote over mutual TLS (<see cref="IoTSyncSystem.EdgeSetup"/>,
/// the device's shipped HOCON, the fleet CA alone trusted for the mirror), each holding the production
/// <see cref="HeartbeatSender"/> of its devices. <see cref="AssociationMode.Own"/>: one system per device with its
/// own certificate; shared:K: K systems, system k presenting the certificate of its first device and carrying
/// every K-th device's heartbeats, each signed with that device's own key. Each sender lists every mirror node's
/// listener, device i from node i mod M on; the sender's own <see cref="MirrorRotation"/> moves to the next node when
/// one does not answer, and its <see cref="LastAnsweringMirror"/> (the device's) says which one answered.
/// </summary>
public sealed class HeartbeatEdges : IAsyncDisposable
{
    /// <summary>
    /// In front of the device's HOCON: errors only (a sender logs every window at INFO, every system warns of the
    /// serializers removed at its start; what a sender refuses is counted in <see cref="Refusals"/> and reported),
    /// and one DotNetty thread each way per system, so thousands of systems fit in one process.
    /// </summary>
    private static readonly Config Front = ConfigurationFactory.ParseString("""
        akka.loglevel = ERROR
        akka.stdout-loglevel = ERROR
        akka.remote.dot-netty.tcp.server-socket-worker-pool { pool-size-min = 1, pool-size-max = 1 }
        akka.remote.dot-netty.tcp.client-socket-worker-pool { pool-size-min = 1, pool-size-max = 1 }
        """);

    private readonly List<ActorSystem> _systems = [];

    private HeartbeatEdges()
    {
    }

    /// <summary>Systems started.</summary>
    public int Systems => _systems.Count;

    public Refusals Refusals { get; } = new();

    /// <summary>One device per system, whose heartbeats form that system's association.</summary>
    public IReadOnlyList<SimulatedDevice> Firsts { get; private set; } = [];

    public static async Task<HeartbeatEdges> Start(FleetOptions options, MirrorTarget target, IReadOnlyList<SimulatedDevice> devices, DeviceHocon hocon)
    {
        var edges = new HeartbeatEdges();
        try
        {
            var config = Front.WithFallback(hocon.Config);
            var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(target.FleetCaCertificate));
            var listeners = target.Nodes.Select(node => $"akka.ssl.tcp://{target.SystemName}@{node.HeartbeatAddress}/user/{HeartbeatListener.Name}").ToArray();
            // The sender's retries as the device's HOCON has them, bounded by the window.
            var initialBackoff = hocon.InitialBackoff;
            var giveUp = TimeSpan.FromTicks(Math.Min(hocon.GiveUpAfter.Ticks, options.WindowLimit.Ticks));
            var systemCount = options.Associations.IsOwn ? devices.Count : Math.Min(options.Associations.SharedSystems, devices.Count);
            for (var k = 0; k < systemCount; k++)
            {
                var presenting = devices[k];
                var tls = new EdgeTls(presenting.Certificate, FleetTlsValidator.AtDevice(ca, edges.Refusals));
                edges._systems.Add(ActorSystem.Create(options.Associations.IsOwn ? $"iotsync-device-{presenting.Id.Value}" : $"iotsync-fleet-{k}",
                    IoTSyncSystem.EdgeSetup(config, null, tls)));
            }
            edges.Firsts = [.. devices.Take(systemCount)];
            for (var n = 0; n < devices.Count; n++)
            {
                var simulated = devices[n];
                var system = edges._systems[n % systemCount];
                var view = system.ActorOf(DeviceViewActor.Props(simulated), $"view-{simulated.Id.Value}");
                simulated.NodeOrder = [.. Enumerable.Range(0, listeners.Length).Select(i => (n + i) % listeners.Length)];
                simulated.Heartbeats = system.ActorOf(HeartbeatSender.Props(simulated.Id,
                    new HeartbeatSenderSettings([.. simulated.NodeOrder.Select(i => listeners[i])], simulated.HeartbeatKey, initialBackoff, giveUp), view,
                    SystemWallClock.Instance, edges.Refusals, lastMirror: simulated.LastMirror),
                    $"heartbeat-{simulated.Id.Value}");
            }
            return edges;
        }
        catch
        {
            await edges.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync() =>
        await Task.WhenAll(_systems.Select(s => s.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default)));
}
