using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace IoTSync.Mirror.Cluster;

/// <summary>Messages of <see cref="JournalFollower{TState}"/>.</summary>
public static class JournalFollowerMessages
{
    /// <summary>Answered with <see cref="CaughtUp"/> once the follower has applied every event the journal held when it started.</summary>
    public sealed record AwaitCaughtUp
    {
        public static AwaitCaughtUp Instance { get; } = new();
    }

    /// <summary>The follower has applied events 1..<paramref name="SequenceNr"/>.</summary>
    public sealed record CaughtUp(long SequenceNr);

    internal sealed record Followed(long SequenceNr, object Event);

    internal sealed record ReadEnded(bool Live, Exception? Failure);
}

/// <summary>
/// A read-side copy of one persistent actor's state on every cluster node: applies its events as the journal holds
/// them — first all there are, then each new one as it is written (Akka.Persistence.Query, polling at the read
/// journal's refresh interval) — and publishes each state to a node-local cache. The writer stays one (a cluster
/// singleton); the followers never write. A read that fails is started again from the next event after a pause.
/// </summary>
public sealed class JournalFollower<TState> : ReceiveActor, IWithTimers
    where TState : class
{
    private sealed record Resume
    {
        public static Resume Instance { get; } = new();
    }

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _persistenceId;
    private readonly string _readJournalPluginId;
    private readonly Func<TState, object, TState> _apply;
    private readonly Action<TState> _publish;
    private readonly List<IActorRef> _waiting = [];
    private readonly IMaterializer _materializer;
    private TState _state;
    private long _sequenceNr;
    private bool _caughtUp;
    private UniqueKillSwitch? _reading;
    private volatile bool _stopped;

    public JournalFollower(string persistenceId, string readJournalPluginId, TState initial, Func<TState, object, TState> apply, Action<TState> publish)
    {
        (_persistenceId, _readJournalPluginId, _state, _apply, _publish) = (persistenceId, readJournalPluginId, initial, apply, publish);
        _materializer = Context.Materializer();
        Receive<JournalFollowerMessages.Followed>(followed =>
        {
            // A read started again may repeat what an earlier one delivered.
            if (followed.SequenceNr <= _sequenceNr)
                return;
            _state = _apply(_state, followed.Event);
            _sequenceNr = followed.SequenceNr;
            _publish(_state);
        });
        Receive<JournalFollowerMessages.ReadEnded>(ended =>
        {
            _reading = null;
            if (ended.Failure is { } failure)
            {
                _log.Warning("following {0}: reading the journal failed ({1}); reading again from event {2} in {3} s",
                    _persistenceId, failure.GetBaseException().Message, _sequenceNr + 1, RetryAfter.TotalSeconds);
                Timers.StartSingleTimer(Resume.Instance, Resume.Instance, RetryAfter);
                return;
            }
            if (!ended.Live)
            {
                _caughtUp = true;
                _publish(_state);
                _waiting.ForEach(w => w.Tell(new JournalFollowerMessages.CaughtUp(_sequenceNr)));
                _waiting.Clear();
            }
            Read(live: true);
        });
        Receive<Resume>(_ => Read(live: _caughtUp));
        Receive<JournalFollowerMessages.AwaitCaughtUp>(_ =>
        {
            if (_caughtUp)
                Sender.Tell(new JournalFollowerMessages.CaughtUp(_sequenceNr));
            else
                _waiting.Add(Sender);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Read(live: false);

    protected override void PostStop()
    {
        _stopped = true;
        _reading?.Shutdown();
    }

    private void Read(bool live)
    {
        var journal = PersistenceQuery.Get(Context.System);
        Source<EventEnvelope, NotUsed> events = live
            ? journal.ReadJournalFor<IEventsByPersistenceIdQuery>(_readJournalPluginId).EventsByPersistenceId(_persistenceId, _sequenceNr + 1, long.MaxValue)
            : journal.ReadJournalFor<ICurrentEventsByPersistenceIdQuery>(_readJournalPluginId).CurrentEventsByPersistenceId(_persistenceId, _sequenceNr + 1, long.MaxValue);
        var self = Self;
        var (killSwitch, done) = events
            .ViaMaterialized(KillSwitches.Single<EventEnvelope>(), Keep.Right)
            .ToMaterialized(Sink.ForEach<EventEnvelope>(e => self.Tell(new JournalFollowerMessages.Followed(e.SequenceNr, e.Event))), Keep.Both)
            .Run(_materializer);
        _reading = killSwitch;
        done.ContinueWith(t =>
        {
            if (!_stopped)
                self.Tell(new JournalFollowerMessages.ReadEnded(live, t.IsFaulted ? t.Exception : null));
        }, TaskScheduler.Default);
    }

    public static Props Props(string persistenceId, string readJournalPluginId, TState initial, Func<TState, object, TState> apply, Action<TState> publish) =>
        Akka.Actor.Props.Create(() => new JournalFollower<TState>(persistenceId, readJournalPluginId, initial, apply, publish));
}
