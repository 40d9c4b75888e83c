using Akka.Actor;
using Akka.Event;
using IoTSync.Security;

namespace IoTSync.Hosting;

/// <summary>
/// Counts and names what a node's edge drops before any actor of ours sees it: a remote message to a path
/// with no actor (everything but the listener), one an edge actor does not handle, and a frame Akka.Remote
/// could not deserialize (a serializer we removed, a manifest we do not know). A system actor of the
/// edge, subscribed to the edge's event stream; it takes nothing but those events.
/// </summary>
public sealed class EdgeRefusalWatch : ReceiveActor
{
    public const string Name = "refusal-watch";

    private readonly ILoggingAdapter _log = Context.GetLogger();

    public EdgeRefusalWatch(Refusals refusals)
    {
        Receive<DeadLetter>(dead =>
        {
            refusals.Count(Refusals.RemoteMessageDropped);
            _log.Warning("remote message {0} to {1} dropped: no actor there takes remote messages", dead.Message.GetType().Name, dead.Recipient.Path);
        });
        Receive<UnhandledMessage>(unhandled =>
        {
            refusals.Count(Refusals.RemoteMessageDropped);
            _log.Warning("remote message {0} to {1} dropped: not a message it takes", unhandled.Message.GetType().Name, unhandled.Recipient.Path);
        });
        // The whole event: Akka.Remote and DotNetty name the decoder's exception in its cause, not in the message.
        Receive<Warning>(warning =>
        {
            if (IsUndecodableFrame(warning.ToString()))
                refusals.Count(Refusals.FrameMalformed);
        });
        Receive<Error>(error =>
        {
            if (IsUndecodableFrame(error.ToString()))
                refusals.Count(Refusals.FrameMalformed);
            else if (MisaddressedMessage.From(error.Message?.ToString() ?? "", error.LogSource) is { } misaddressed)
            {
                refusals.Count(Refusals.RemoteMessageDropped);
                // Akka.Remote logs every such drop as an error in its own words; the operator is told once per peer what to change.
                if (_misaddressedWarned.Add((misaddressed.Peer, misaddressed.AddressedTo)))
                    _log.Warning("{0}", misaddressed.Explanation);
            }
        });
    }

    private readonly HashSet<(string Peer, string AddressedTo)> _misaddressedWarned = [];

    /// <summary>Akka.Remote's words for an inbound frame it could not decode (it logs them itself; the association may stay up).</summary>
    public static bool IsUndecodableFrame(string message) =>
        message.Contains("Serializer not defined", StringComparison.Ordinal)
        || message.Contains("Deserialization failed", StringComparison.Ordinal)
        || message.Contains("Transient association error", StringComparison.Ordinal)
        || message.Contains("Failed to deserialize", StringComparison.OrdinalIgnoreCase)
        || message.Contains("TooLongFrameException", StringComparison.Ordinal)
        || message.Contains("InvalidProtocolBufferException", StringComparison.Ordinal);

    protected override void PreStart()
    {
        var stream = Context.System.EventStream;
        stream.Subscribe(Self, typeof(DeadLetter));
        stream.Subscribe(Self, typeof(UnhandledMessage));
        stream.Subscribe(Self, typeof(Warning));
        stream.Subscribe(Self, typeof(Error));
    }

    /// <summary>Started beside the edge's actors as a system actor, so the edge's <c>/user</c> holds its one reachable actor alone.</summary>
    public static IActorRef Start(ActorSystem edge, Refusals refusals) =>
        ((ExtendedActorSystem)edge).SystemActorOf(Props.Create(() => new EdgeRefusalWatch(refusals)), Name);
}
