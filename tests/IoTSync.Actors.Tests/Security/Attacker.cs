using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Akka.TestKit.Xunit2;

namespace IoTSync.Tests.Security;

/// <summary>
/// A throw-away Akka.Remote peer on loopback, as an attacker would run it: Akka's defaults (the JSON
/// serializer with type names bound to System.Object, unregistered types allowed) plus our serializer,
/// so it can speak our messages too. It reaches actors by direct reference — a remote path resolved to an
/// <see cref="IActorRef"/>, which untrusted mode does not filter — not by selection.
/// </summary>
internal sealed class Attacker : IAsyncDisposable
{
    private readonly ActorSystem _system;

    public Attacker(string name = "attacker")
    {
        _system = ActorSystem.Create(name, ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            akka.remote.retry-gate-closed-for = 100ms
            akka.loglevel = WARNING
            akka.stdout-loglevel = WARNING
            """).WithFallback(IoTSyncSystem.Essentials));
        Probe = NewProbe();
    }

    /// <summary>Where answers to the attacker's messages arrive.</summary>
    public TestProbe Probe { get; }

    public TestProbe NewProbe() => new(_system, new XunitAssertions());

    /// <summary>The actor at <paramref name="path"/> under <paramref name="node"/>, resolved without asking the node.</summary>
    public IActorRef Resolve(Address node, string path) =>
        ((ExtendedActorSystem)_system).Provider.ResolveActorRef($"{node}{path}");

    public async ValueTask DisposeAsync() => await _system.Terminate();
}
