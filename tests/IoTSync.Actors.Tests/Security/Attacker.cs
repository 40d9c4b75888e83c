using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Remote.Transport.DotNetty;
using IoTSync.Security;
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

    /// <summary>
    /// The attacker; with <paramref name="certificate"/> it speaks mutual TLS with that certificate (a
    /// device's, say) and accepts any server certificate, as an attacker would.
    /// </summary>
    public Attacker(string name = "attacker", X509Certificate2? certificate = null)
    {
        var config = ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            akka.remote.retry-gate-closed-for = 100ms
            akka.loglevel = WARNING
            akka.stdout-loglevel = WARNING
            """).WithFallback(IoTSyncSystem.Essentials);
        if (certificate is null)
            _system = ActorSystem.Create(name, config);
        else
            _system = ActorSystem.Create(name, ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(EdgeTls.Hocon.WithFallback(config)),
                new DotNettySslSetup(certificate, suppressValidation: false, requireMutualAuthentication: true, validateCertificateHostname: false,
                    customValidator: (_, _, _, _, _) => true)));
        Probe = NewProbe();
    }

    /// <summary>Whether the attacker's system is still running (a failed outbound TLS handshake terminates it).</summary>
    public bool Terminated => _system.WhenTerminated.IsCompleted;

    /// <summary>Where answers to the attacker's messages arrive.</summary>
    public TestProbe Probe { get; }

    public TestProbe NewProbe() => new(_system, new XunitAssertions());

    /// <summary>The actor at <paramref name="path"/> under <paramref name="node"/>, resolved without asking the node.</summary>
    public IActorRef Resolve(Address node, string path) =>
        ((ExtendedActorSystem)_system).Provider.ResolveActorRef($"{node}{path}");

    public async ValueTask DisposeAsync() => await _system.Terminate();
}
