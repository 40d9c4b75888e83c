using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;

namespace IoTSync.Security;

/// <summary>
/// Mutual TLS on a node's edge: its own certificate and the fleet validator. HOCON alone cannot pin a
/// private CA, so the certificate and the validator go in as a <see cref="DotNettySslSetup"/>; chain
/// validation is never suppressed.
/// </summary>
public sealed record EdgeTls(X509Certificate2 Certificate, FleetTlsValidator Validator)
{
    /// <summary>In front of the edge's HOCON: TLS on, both sides authenticated, names not compared (peers are known by the fleet CA and the admission).</summary>
    public static Config Hocon { get; } = ConfigurationFactory.ParseString("""
        akka.remote.dot-netty.tcp.enable-ssl = on
        akka.remote.dot-netty.tcp.ssl.require-mutual-authentication = on
        akka.remote.dot-netty.tcp.ssl.validate-certificate-hostname = off
        """);

    public DotNettySslSetup Setup() =>
        new(Certificate, suppressValidation: false, requireMutualAuthentication: true, validateCertificateHostname: false, customValidator: Validator.Callback);
}
