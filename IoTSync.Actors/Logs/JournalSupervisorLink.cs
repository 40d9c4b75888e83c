using Akka.Actor;
using IoTSync.Persistence;
using static IoTSync.Logs.JournalSupervisorMessages;

namespace IoTSync.Logs;

/// <summary>
/// A persistent actor's side of a <see cref="JournalSupervisor"/>: remembers the supervisor once it has
/// attached, tells it the first successful write and the failure that stops the actor, and answers the
/// caller whose write failed with the named fault. Without a supervisor it only answers the caller.
/// </summary>
public sealed class JournalSupervisorLink
{
    private IActorRef _supervisor = ActorRefs.Nobody;
    private bool _wrote;

    public void Attach(IActorRef supervisor) => _supervisor = supervisor;

    /// <summary>Call after each persisted event.</summary>
    public void Wrote()
    {
        if (_wrote || _supervisor.IsNobody())
            return;
        _wrote = true;
        _supervisor.Tell(ChildWrote.Instance);
    }

    /// <summary>A write failed and the actor stops: the fault, named, told to the supervisor and to <paramref name="caller"/>.</summary>
    public string Failed(Exception cause, IActorRef caller, IActorRef self)
    {
        var fault = JournalFault.Describe(cause);
        if (!_supervisor.IsNobody())
            _supervisor.Tell(new ChildFailed(fault));
        if (!caller.IsNobody() && !caller.Equals(self) && !caller.Equals(_supervisor))
            caller.Tell(new Status.Failure(new JournalUnavailableException(fault)));
        return fault;
    }

    /// <summary>The answer to <see cref="GetJournalHealth"/> from the child itself: it is running, so healthy as far as it knows.</summary>
    public static JournalHealth Health => JournalHealth.Healthy;
}
