using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using IoTSync.Configuration;

namespace IoTSync.Security;

/// <summary>
/// <c>iotsync.mirror.ca</c> with the mirror's <c>iotsync.tls</c> paths: where <c>ca init</c> writes the fleet
/// CA and the mirror's certificate, and how long what it and <c>enroll</c> issue is valid.
/// </summary>
public sealed record FleetCaSettings(string CaCertificate, string CaKey, string MirrorCertificate, string MirrorKey,
    TimeSpan Validity, TimeSpan DeviceValidity, TimeSpan MirrorValidity)
{
    public static FleetCaSettings FromConfig(Config root) => new(
        root.RequirePath("iotsync.tls.ca-certificate"),
        root.RequirePath("iotsync.mirror.ca.key"),
        root.RequirePath("iotsync.tls.certificate"),
        root.RequirePath("iotsync.tls.key"),
        root.RequireDuration("iotsync.mirror.ca.validity", TimeSpan.FromDays(1)),
        root.RequireDuration("iotsync.mirror.ca.device-validity", TimeSpan.FromDays(1)),
        root.RequireDuration("iotsync.mirror.ca.mirror-validity", TimeSpan.FromDays(1)));

    /// <summary>Makes the fleet CA and the mirror's certificate from it; refuses when any of the files exists.</summary>
    /// <summary>Makes the CA and the mirror's certificate for <paramref name="addresses"/> (its subject alternative names).</summary>
    public void Initialise(string mirrorName, DateTimeOffset now, IEnumerable<string>? addresses = null)
    {
        foreach (var file in new[] { CaCertificate, CaKey, MirrorCertificate, MirrorKey })
            if (File.Exists(file))
                throw new IOException($"{file} already exists; the fleet CA is made once");
        using var ca = FleetCa.Create(Validity, now);
        ca.Save(CaCertificate, CaKey);
        using var mirror = ca.IssueMirror(mirrorName, MirrorValidity, now, addresses);
        PemFiles.WriteNew(MirrorKey, mirror.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem(), ownerOnly: true);
        PemFiles.WriteNew(MirrorCertificate, mirror.ExportCertificatePem(), ownerOnly: false);
    }

    /// <summary>
    /// Signs a device's certificate request; writes the certificate and the fleet CA's certificate into
    /// <paramref name="directory"/> for the device, and returns them with the certificate's pin.
    /// </summary>
    public (string Certificate, string Ca, Mirror.CertificatePin Pin) IssueDevice(string requestPem, Model.DeviceId device, string directory, DateTimeOffset now)
    {
        using var ca = FleetCa.Load(CaCertificate, CaKey);
        using var issued = ca.IssueDevice(requestPem, device, DeviceValidity, now);
        Directory.CreateDirectory(directory);
        var certificate = Path.Combine(directory, "device.crt");
        var caCopy = Path.Combine(directory, "fleet-ca.crt");
        File.WriteAllText(certificate, issued.ExportCertificatePem() + "\n");
        File.WriteAllText(caCopy, ca.Certificate.ExportCertificatePem() + "\n");
        return (certificate, caCopy, Mirror.CertificatePin.Of(issued));
    }

    /// <summary>Signs a device's certificate request (a rotation's): the certificate, for the caller to write once the registry has pinned it.</summary>
    public X509Certificate2 SignDevice(string requestPem, Model.DeviceId device, DateTimeOffset now)
    {
        using var ca = FleetCa.Load(CaCertificate, CaKey);
        return ca.IssueDevice(requestPem, device, DeviceValidity, now);
    }
}
