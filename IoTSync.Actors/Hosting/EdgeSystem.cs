using Akka;
using Akka.Actor;
using Akka.Configuration;
using Microsoft.Extensions.Logging;

namespace IoTSync.Hosting;

/// <summary>
/// A node's edge: its one actor system with remoting, which holds only the actor a remote peer may
/// reach (the mirror's HeartbeatListener, the device's HeartbeatSender). Everything else runs in the
/// node's core system, which has no remoting at all, so a message sent by direct reference to any other
/// path finds nothing there. Both systems live in one process; actors of each hold the other's
/// <see cref="IActorRef"/>s, and a Tell across them is an in-process enqueue, never serialized.
/// Started from the core's actor starter; stopped first when the core stops.
/// </summary>
public sealed class EdgeSystem
{
    private volatile ActorSystem? _system;

    /// <summary>The running edge.</summary>
    public ActorSystem System => _system ?? throw new InvalidOperationException("the node's edge has not started");

    /// <summary>The edge's Akka.Remote address: where peers reach the node.</summary>
    public Address Address => ((ExtendedActorSystem)System).Provider.DefaultAddress;

    /// <summary>
    /// Starts the edge named <paramref name="name"/> (the name peers address) on the node's HOCON, over
    /// mutual TLS when <paramref name="tls"/> is given, and
    /// ties it to <paramref name="core"/>: the core's coordinated shutdown stops the edge before any core actor.
    /// </summary>
    public ActorSystem Start(ActorSystem core, string name, Config nodeConfig, ILoggerFactory? loggerFactory, Security.EdgeTls? tls)
    {
        var edge = ActorSystem.Create(name, IoTSyncSystem.EdgeSetup(nodeConfig, loggerFactory, tls));
        _system = edge;
        CoordinatedShutdown.Get(core).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "stop-edge", async () =>
        {
            await edge.Terminate();
            return Done.Instance;
        });
        return edge;
    }
}
