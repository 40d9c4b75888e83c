using Akka.Actor;

namespace IoTSync.Hosting;

/// <summary>
/// How the edge's user guardian supervises the one remotely reachable actor. Untrusted mode drops a
/// remote <see cref="PoisonPill"/> but not a remote <see cref="Kill"/> (in Akka.NET 1.5.74 <c>Kill</c> is
/// not <c>IPossiblyHarmful</c>), and the default strategy stops an actor that was killed: one frame from
/// any peer would silence the heartbeat listener. Here a kill resumes the actor with its state (its
/// nonce windows, so replay protection survives); every other failure is handled as by default.
/// </summary>
public sealed class EdgeGuardianStrategy : SupervisorStrategyConfigurator
{
    /// <summary>The HOCON that makes an edge's user guardian use this strategy.</summary>
    public const string Hocon = "akka.actor.guardian-supervisor-strategy = \"IoTSync.Hosting.EdgeGuardianStrategy, IoTSync.Actors\"";

    public override SupervisorStrategy Create() =>
        new OneForOneStrategy(cause => cause is ActorKilledException ? Directive.Resume : SupervisorStrategy.DefaultDecider.Decide(cause));
}
