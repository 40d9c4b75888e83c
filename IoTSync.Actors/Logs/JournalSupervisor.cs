using Akka.Actor;
using Akka.Event;
using static IoTSync.Logs.JournalSupervisorMessages;

namespace IoTSync.Logs;

/// <summary>
/// Parent of one persistent actor (CommandRecorder, StateJournal, DeviceRegistry) that stops when a journal
/// write fails: starts it again after a back-off (<see cref="JournalRestartSettings"/>), so it recovers from
/// the journal once the fault is gone, and meanwhile answers every request at once with the named fault
/// instead of letting callers time out. Requests are forwarded, so the child answers their senders itself.
/// Decisions are <see cref="JournalOutage"/>'s; Akka's <c>BackoffSupervisor</c> does the restarts alike but
/// drops what arrives while the child is down.
/// </summary>
public sealed class JournalSupervisor : ReceiveActor, IWithTimers
{
    private sealed record RestartChild
    {
        public static RestartChild Instance { get; } = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Props _childProps;
    private readonly string _childName;
    private readonly string _label;
    private readonly JournalRestartSettings _settings;
    private readonly Random _random;
    private readonly Func<IJournalGaveUp, object, object>? _answerOnceGivenUp;
    private JournalOutage _outage = JournalOutage.Healthy;
    private IActorRef _child = ActorRefs.Nobody;

    public JournalSupervisor(Props childProps, string childName, string label, JournalRestartSettings settings, Random? random = null,
        Func<IJournalGaveUp, object, object>? answerOnceGivenUp = null)
    {
        _answerOnceGivenUp = answerOnceGivenUp;
        _childProps = childProps;
        _childName = childName;
        _label = label;
        _settings = settings;
        _random = random ?? Random.Shared;

        Receive<ChildFailed>(failed =>
        {
            _outage = _outage.Failed(failed.Fault);
            _log.Warning("[{0}] journal write failed: {1}", _label, failed.Fault);
        });
        Receive<ChildWrote>(_ =>
        {
            if (_outage.Fault is { } fault)
                _log.Info("[{0}] journal healed: a write succeeded after {1} restart(s) (was: {2})", _label, _outage.Restarts, fault);
            _outage = _outage.Written();
        });
        Receive<Terminated>(terminated => terminated.ActorRef.Equals(_child), _ =>
        {
            (_outage, var delay) = _outage.Stopped(_settings, _random.NextDouble());
            _child = ActorRefs.Nobody;
            _log.Warning("[{0}] journal actor stopped ({1}); restart {2} in {3} ms, requests answered at once meanwhile",
                _label, _outage.Fault, _outage.Restarts, (long)delay.TotalMilliseconds);
            Timers.StartSingleTimer(RestartChild.Instance, RestartChild.Instance, delay);
        });
        Receive<RestartChild>(_ =>
        {
            _log.Info("[{0}] starting the journal actor again (restart {1}); it recovers from the journal", _label, _outage.Restarts);
            StartChild();
            _outage = _outage.Restarted();
        });
        Receive<IJournalGaveUp>(_ => Sender.Equals(_child), gaveUp =>
        {
            _log.Error("[{0}] the journal cannot be recovered; not starting it again", _label);
            if (_answerOnceGivenUp is { } answer)
            {
                Become(() => GivenUp(gaveUp, answer));
                return;
            }
            Context.Parent.Forward(gaveUp);
            Context.Stop(Self);
        });
        Receive<DeadLetter>(AnswerLost);
        Receive<GetJournalHealth>(_ => Sender.Tell(new JournalHealth(_outage.Fault, !_outage.ChildRunning, _outage.Restarts)));
        ReceiveAny(message =>
        {
            if (_outage.Refusal is { } refusal)
            {
                if (!Sender.IsNobody())
                    Sender.Tell(new Status.Failure(new JournalUnavailableException(refusal)));
                return;
            }
            _child.Forward(message);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// After the child gave up, with an answerer: every request (and every one lost in the stopping child) is
    /// answered at once from <paramref name="answer"/>, until this actor stops (a sharded entity is passivated
    /// when idle, and recovery is tried afresh on its next message).
    /// </summary>
    private void GivenUp(IJournalGaveUp gaveUp, Func<IJournalGaveUp, object, object> answer)
    {
        Receive<DeadLetter>(letter =>
        {
            if (letter.Message is not Terminated && Requester(letter) is { } sender)
                sender.Tell(answer(gaveUp, letter.Message));
        });
        Receive<Terminated>(_ => { });
        Receive<GetJournalHealth>(_ => Sender.Tell(new JournalHealth(_outage.Fault, true, _outage.Restarts)));
        ReceiveAny(message =>
        {
            if (!Sender.IsNobody() && !Sender.Equals(Self))
                Sender.Tell(answer(gaveUp, message));
        });
    }

    /// <param name="childProps">The persistent actor.</param>
    /// <param name="childName">Its name under the supervisor.</param>
    /// <param name="label">The device id (or the registry's name), for the start of every log line.</param>
    /// <param name="settings">The back-off.</param>
    /// <param name="answerOnceGivenUp">
    /// When the child cannot be recovered at all: null tells the parent and stops; otherwise this supervisor stays and
    /// answers every request with what this gives for it.
    /// </param>
    public static Props Props(Props childProps, string childName, string label, JournalRestartSettings settings,
        Func<IJournalGaveUp, object, object>? answerOnceGivenUp = null) =>
        Akka.Actor.Props.Create(() => new JournalSupervisor(childProps, childName, label, settings, null, answerOnceGivenUp));

    protected override void PreStart()
    {
        // What the child had stashed while its failing write was pending goes to dead letters when it stops.
        LostLetters.Get(Context.System).Register(Self);
        StartChild();
    }

    protected override void PostStop() => LostLetters.Get(Context.System).Unregister(Self);

    /// <summary>A request lost in a child that stopped (stashed behind its failed write, or sent to it as it stopped) is answered with the fault.</summary>
    private void AnswerLost(DeadLetter letter)
    {
        if ((letter.Recipient.Equals(_child) && _outage.ChildRunning) || Requester(letter) is not { } sender)
            return;
        sender.Tell(new Status.Failure(new JournalUnavailableException(_outage.Fault ?? JournalOutage.StoppedUnexplained)));
    }

    /// <summary>Who waits for an answer to a message lost in a child of this supervisor; null when nobody does (or it is not a request).</summary>
    private IActorRef? Requester(DeadLetter letter)
    {
        var sender = letter.Sender;
        return Self.Path.Equals(letter.Recipient.Path.Parent) && sender is not null && !sender.IsNobody() && !sender.Equals(Context.System.DeadLetters)
               && !sender.Equals(letter.Recipient) && !sender.Equals(Self) && letter.Message is not (Status.Failure or Attach)
            ? sender
            : null;
    }

    // A child that throws is stopped, not restarted in place: the restart comes after the back-off, from Terminated.
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(cause =>
        {
            _outage = _outage.Failed(Persistence.JournalFault.Describe(cause));
            return Directive.Stop;
        });

    private void StartChild()
    {
        _child = Context.Watch(Context.ActorOf(_childProps, _childName));
        _child.Tell(Attach.Instance, Self);
    }
}
