using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;

namespace IoTSync.Logs;

/// <summary>
/// Routes each dead letter to the <see cref="JournalSupervisor"/> whose child it was sent to, through one
/// subscription to the event stream per actor system. A subscription per supervisor cost a mirror with N
/// devices O(N) for every supervisor that started (Akka's event bus checks its subscriber list) and O(N) for
/// every dead letter (each went to every supervisor): 100,000 devices enrolled at 33 a second.
/// </summary>
public sealed class LostLetters : IExtension
{
    private readonly ConcurrentDictionary<ActorPath, IActorRef> _supervisors = new();

    public LostLetters(ExtendedActorSystem system)
    {
        var router = system.SystemActorOf(Props.Create(() => new Router(this)), "journal-lost-letters");
        system.EventStream.Subscribe(router, typeof(DeadLetter));
    }

    public static LostLetters Get(ActorSystem system) => system.WithExtension<LostLetters, LostLettersProvider>();

    /// <summary>Dead letters to <paramref name="supervisor"/>'s children reach it from now on.</summary>
    public void Register(IActorRef supervisor) => _supervisors[supervisor.Path] = supervisor;

    public void Unregister(IActorRef supervisor) => _supervisors.TryRemove(new KeyValuePair<ActorPath, IActorRef>(supervisor.Path, supervisor));

    /// <summary>The supervisor a letter to <paramref name="recipient"/> belongs to: its parent, when that is a registered supervisor.</summary>
    public IActorRef? SupervisorOf(IActorRef recipient) =>
        recipient.Path.Parent is { } parent && _supervisors.TryGetValue(parent, out var supervisor) ? supervisor : null;

    private sealed class Router : ReceiveActor
    {
        public Router(LostLetters letters) =>
            Receive<DeadLetter>(letter => letters.SupervisorOf(letter.Recipient)?.Tell(letter));
    }
}

public sealed class LostLettersProvider : ExtensionIdProvider<LostLetters>
{
    public override LostLetters CreateExtension(ExtendedActorSystem system) => new(system);
}
