using Akka.Actor;
using Akka.Event;

namespace IoTSync.Hosting;

/// <summary>
/// The core's stable reference to an actor in the edge, which can be replaced when the edge is restarted
/// (<see cref="EdgeSystem"/>): it forwards everything to the current one, the original sender kept. While
/// there is none, messages are dropped with a log line; their senders' own time limits deal with that.
/// </summary>
public sealed class EdgeGateway : ReceiveActor
{
    /// <summary>The actor in the (new) edge to forward to.</summary>
    public sealed record Target(IActorRef Actor);

    /// <summary>The edge is gone; forward nothing until the next <see cref="Target"/>.</summary>
    public sealed record Lost
    {
        public static Lost Instance { get; } = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef _target = ActorRefs.Nobody;

    public EdgeGateway()
    {
        Receive<Target>(target => _target = target.Actor);
        Receive<Lost>(_ => _target = ActorRefs.Nobody);
        ReceiveAny(message =>
        {
            if (_target.IsNobody())
                _log.Warning("the node's edge is restarting; {0} dropped", message.GetType().Name);
            else
                _target.Forward(message);
        });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new EdgeGateway());
}
