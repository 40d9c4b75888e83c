using System.Collections.Immutable;
using System.Net;
using Akka.Configuration;
using IoTSync.Configuration;

namespace IoTSync.MirrorApi;

/// <summary>
/// <c>iotsync.mirror.http</c>: where the HTTP API listens besides the control socket, whether TCP
/// speaks TLS and with which certificate, and the limits every request is held to.
/// </summary>
public sealed record MirrorApiSettings(
    string ControlSocket,
    ImmutableArray<IPEndPoint> Listen,
    bool Tls,
    string Certificate,
    string Key,
    long MaxRequestBytes,
    TimeSpan MaxWait,
    int MaxPage,
    int RequestsPerSecond,
    int Burst)
{
    private const string Section = "iotsync.mirror.http";

    public static MirrorApiSettings FromConfig(Config root)
    {
        var listen = root.StringList($"{Section}.listen").Select(address => Endpoint(address)).ToImmutableArray();
        var tls = root.GetBoolean($"{Section}.tls", true);
        if (!tls && listen.FirstOrDefault(e => !IPAddress.IsLoopback(e.Address)) is { } exposed)
            throw new ConfigurationException($"{Section}.tls = off is allowed only on loopback; {exposed} is not (tokens would cross the network in clear)");
        var certificate = root.OptionalString($"{Section}.certificate");
        var key = root.OptionalString($"{Section}.key");
        if ((certificate.Length == 0) != (key.Length == 0))
            throw new ConfigurationException($"{Section}.certificate and {Section}.key go together");
        return new MirrorApiSettings(
            root.RequirePath("iotsync.mirror.control-socket"),
            listen,
            tls,
            // Empty: the mirror's own certificate from the fleet CA (iotsync.tls).
            certificate.Length > 0 ? Path.GetFullPath(certificate) : root.RequirePath("iotsync.tls.certificate"),
            key.Length > 0 ? Path.GetFullPath(key) : root.RequirePath("iotsync.tls.key"),
            root.RequireByteSize($"{Section}.max-request-bytes", 1024, 64L * 1024 * 1024),
            root.RequireDuration($"{Section}.max-wait"),
            root.RequireInt($"{Section}.max-page", 1, 100_000),
            root.RequireInt($"{Section}.rate-limit.requests-per-second", 1, 10_000_000),
            root.RequireInt($"{Section}.rate-limit.burst", 1, 10_000_000));
    }

    /// <summary>An IP address and port: a host name would leave which interface is served to the resolver.</summary>
    private static IPEndPoint Endpoint(string text)
    {
        if (!IPEndPoint.TryParse(text, out var endpoint) || endpoint.Port == 0 && !text.EndsWith(":0", StringComparison.Ordinal))
            throw new ConfigurationException($"{Section}.listen: '{text}' is not ADDRESS:PORT with an IP address (e.g. 127.0.0.1:8443 or [::1]:8443)");
        return endpoint;
    }
}
