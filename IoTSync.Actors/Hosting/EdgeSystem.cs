using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Microsoft.Extensions.Logging;

namespace IoTSync.Hosting;

/// <summary>
/// A node's edge: its one actor system with remoting, which holds only the actor a remote peer may
/// reach (the mirror's HeartbeatListener, the device's HeartbeatSender). Everything else runs in the
/// node's core system, which has no remoting at all, so a message sent by direct reference to any other
/// path finds nothing there. Both systems live in one process; actors of each hold the other's
/// <see cref="IActorRef"/>s, and a Tell across them is an in-process enqueue, never serialized.
/// Started from the core's actor starter; stopped first when the core stops. Akka.NET terminates a
/// system whose outbound TLS handshake fails (akka.net #7839): an edge started with a restart delay is
/// started again after it, with its actors made again, until the core stops. <see cref="Recycle"/>
/// replaces a running edge with a fresh one (a new port, so a new association and TCP connection).
/// </summary>
public sealed class EdgeSystem
{
    private volatile ActorSystem? _system;
    private volatile bool _stopping;
    private Security.Refusals? _refusals;
    private Func<ActorSystem>? _launch;
    private readonly object _recycling = new();

    /// <summary>The running edge.</summary>
    public ActorSystem System => _system ?? throw new InvalidOperationException("the node's edge has not started");

    /// <summary>The edge's Akka.Remote address: where peers reach the node.</summary>
    public Address Address => ((ExtendedActorSystem)System).Provider.DefaultAddress;

    /// <summary>How many times the edge was started again after it ended on its own.</summary>
    public int Restarts { get; private set; }

    /// <summary>
    /// Starts the edge named <paramref name="name"/> (the name peers address) on the node's HOCON, over
    /// mutual TLS when <paramref name="tls"/> is given, and ties it to <paramref name="core"/>: the core's
    /// coordinated shutdown stops the edge before any core actor. <paramref name="populate"/> makes the
    /// edge's actors; with <paramref name="restartAfter"/>, an edge that ends on its own is started again
    /// that long after, and populated again. What the edge drops is counted in <paramref name="refusals"/> (<see cref="EdgeRefusalWatch"/>).
    /// </summary>
    public ActorSystem Start(ActorSystem core, string name, Config nodeConfig, ILoggerFactory? loggerFactory, Security.EdgeTls? tls,
        Action<ActorSystem>? populate = null, TimeSpan? restartAfter = null, Security.Refusals? refusals = null)
    {
        _refusals = refusals;
        CoordinatedShutdown.Get(core).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "stop-edge", async () =>
        {
            _stopping = true;
            if (_system is { } running)
                await running.Terminate();
            return Done.Instance;
        });
        _launch = () => Launch(core, name, nodeConfig, loggerFactory, tls, populate, restartAfter);
        return _launch();
    }

    /// <summary>
    /// Starts a fresh edge, populated as the first, and then ends the one running. The device does this
    /// after a window whose heartbeats went unanswered: their answers may be written by the mirror after
    /// the link went down, and every later byte on that TCP connection would wait behind them for
    /// TCP's doubling retransmission timer, window after window. A fresh connection carries none of it.
    /// Safe from any thread; nothing happens once the node stops.
    /// </summary>
    public void Recycle()
    {
        lock (_recycling)
        {
            if (_stopping || _launch is null)
                return;
            var old = _system;
            _launch();
            old?.Terminate();
        }
    }

    private ActorSystem Launch(ActorSystem core, string name, Config nodeConfig, ILoggerFactory? loggerFactory, Security.EdgeTls? tls,
        Action<ActorSystem>? populate, TimeSpan? restartAfter)
    {
        var edge = ActorSystem.Create(name, IoTSyncSystem.EdgeSetup(nodeConfig, loggerFactory, tls));
        _system = edge;
        if (_refusals is not null)
            EdgeRefusalWatch.Start(edge, _refusals);
        populate?.Invoke(edge);
        if (restartAfter is { } delay)
            edge.WhenTerminated.ContinueWith(async _ =>
            {
                // A recycled edge was replaced already; only the running one is started again.
                if (_stopping || core.WhenTerminated.IsCompleted || !ReferenceEquals(_system, edge))
                    return;
                var log = Logging.GetLogger(core, "iotsync-edge");
                log.Warning("the node's edge ended on its own (a failed TLS handshake ends it); starting it again in {0}", Configuration.DurationText.Of(delay));
                await Task.Delay(delay);
                if (_stopping || core.WhenTerminated.IsCompleted || !ReferenceEquals(_system, edge))
                    return;
                Restarts++;
                Launch(core, name, nodeConfig, loggerFactory, tls, populate, restartAfter);
            }, TaskScheduler.Default);
        return edge;
    }
}
