using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using static IoTSync.Mirror.Cluster.ClusterEventRelayMessages;

namespace IoTSync.Mirror.Cluster;

/// <summary>
/// Carries the node events the API's live events and waits follow — <see cref="JournalWritten"/>,
/// <see cref="WindowRecorded"/>, <see cref="HealthChanged"/> — between the mirror nodes of a cluster, so that each
/// reaches every node's EventStream exactly once, wherever the journal or the judge that published it lives. One per
/// node. What is published on this node's EventStream (by a journal entity or the health watch living here) is
/// published to the others through DistributedPubSub (<see cref="ClusterEventRelayMessages.Topic"/>); what arrives from
/// another node's relay is published on this node's EventStream. The publishers are unchanged: they publish locally
/// as on a single node, so this node hears its own events at once and the relay sends them on; the relay skips its own
/// publications coming back from the topic, and the events it republished coming back from the EventStream.
/// </summary>
public sealed class ClusterEventRelay : ReceiveActor
{
    private static readonly Type[] Carried = [typeof(JournalWritten), typeof(WindowRecorded), typeof(HealthChanged)];

    private readonly ILoggingAdapter _log = Context.GetLogger();
    // What this relay published on the EventStream, until its own subscription hands it back (the same instance).
    private readonly HashSet<object> _republished = new(ReferenceEqualityComparer.Instance);
    private readonly IActorRef _mediator;

    public ClusterEventRelay(IActorRef mediator)
    {
        _mediator = mediator;
        Receive<JournalWritten>(written => Outward(written, () => RelayedJournalWritten.Of(written)));
        Receive<WindowRecorded>(recorded => Outward(recorded, () => RelayedWindowRecorded.Of(recorded)));
        Receive<HealthChanged>(change => Outward(change, () => RelayedHealthChanged.Of(change)));
        Receive<RelayedJournalWritten>(relayed => Inward(relayed.Local));
        Receive<RelayedWindowRecorded>(relayed => Inward(relayed.Local));
        Receive<RelayedHealthChanged>(relayed => Inward(relayed.Local));
        Receive<SubscribeAck>(_ => { });
    }

    protected override void PreStart()
    {
        foreach (var type in Carried)
            Context.System.EventStream.Subscribe(Self, type);
        _mediator.Tell(new Subscribe(Topic, Self));
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    /// <summary>An event published on this node: to the other nodes, unless it is one this relay brought in.</summary>
    private void Outward(object local, Func<object> wire)
    {
        if (_republished.Remove(local))
            return;
        _mediator.Tell(new Publish(Topic, wire()), Self);
    }

    /// <summary>An event from the topic: published here, unless this relay sent it.</summary>
    private void Inward(Func<object> local)
    {
        if (Sender.Equals(Self))
            return;
        try
        {
            var published = local();
            _republished.Add(published);
            Context.System.EventStream.Publish(published);
        }
        catch (FormatException e)
        {
            _log.Warning("cluster events: an event from {0} did not decode and is not published here: {1}", Sender.Path.Address, e.Message);
        }
    }

    /// <summary>The relay of this node, publishing and subscribing through <paramref name="mediator"/> (the node's DistributedPubSub mediator).</summary>
    public static Props Props(IActorRef mediator) => Akka.Actor.Props.Create(() => new ClusterEventRelay(mediator));
}
