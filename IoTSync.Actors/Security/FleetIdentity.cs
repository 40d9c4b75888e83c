using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTSync.Model;

namespace IoTSync.Security;

/// <summary>What the fleet's certificates say: a device's subject is its id and nothing more; the key usages of each side.</summary>
public static class FleetIdentity
{
    private const string DevicePrefix = "CN=device:";
    private const string MirrorPrefix = "CN=mirror:";

    /// <summary>TLS client authentication: what a device's certificate is for.</summary>
    public static Oid ClientAuth { get; } = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    /// <summary>TLS server authentication: what the mirror's certificate is for.</summary>
    public static Oid ServerAuth { get; } = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    public static X500DistinguishedName DeviceSubject(DeviceId device) => new(DevicePrefix + device.Value);

    public static X500DistinguishedName MirrorSubject(string name) => new(MirrorPrefix + name);

    /// <summary>The device a subject names, or null when it names no device (or anything besides one).</summary>
    public static DeviceId? DeviceOf(X500DistinguishedName subject)
    {
        var name = subject.Name;
        if (!name.StartsWith(DevicePrefix, StringComparison.Ordinal))
            return null;
        var id = name[DevicePrefix.Length..];
        return DeviceId.IsValid(id) ? new DeviceId(id) : null;
    }

    /// <summary>Whether a certificate is a mirror's (its subject).</summary>
    public static bool IsMirror(X509Certificate2 certificate) => certificate.SubjectName.Name.StartsWith(MirrorPrefix, StringComparison.Ordinal);
}
