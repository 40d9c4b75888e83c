using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using IoTSync.Configuration;

namespace IoTSync.Security;

/// <summary>
/// <c>iotsync.tls</c>: whether the node's edge speaks Akka.Remote over mutual TLS against the fleet CA,
/// and where the CA's certificate and the node's own certificate and key are.
/// </summary>
public sealed record TlsSettings(bool Enabled, string CaCertificate, string Certificate, string Key)
{
    /// <summary>The scheme of the peers' Akka.Remote addresses.</summary>
    public string Scheme => Enabled ? "akka.ssl.tcp" : "akka.tcp";

    public static TlsSettings FromConfig(Config root)
    {
        var enabled = root.GetBoolean("iotsync.tls.enabled", false);
        return enabled
            ? new TlsSettings(true, root.RequirePath("iotsync.tls.ca-certificate"), root.RequirePath("iotsync.tls.certificate"), root.RequirePath("iotsync.tls.key"))
            : new TlsSettings(false, "", "", "");
    }

    /// <summary>The edge's TLS with <paramref name="validator"/>, or null when TLS is off.</summary>
    public EdgeTls? Load(Func<X509Certificate2, FleetTlsValidator> validator)
    {
        if (!Enabled)
            return null;
        foreach (var (file, key) in new[] { (CaCertificate, "ca-certificate"), (Certificate, "certificate"), (Key, "key") })
            if (!File.Exists(file))
                throw new ConfigurationException($"iotsync.tls.{key}: {file} does not exist (enrolment writes it)");
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(CaCertificate));
        var own = X509Certificate2.CreateFromPemFile(Certificate, Key);
        return new EdgeTls(own, validator(ca));
    }
}
