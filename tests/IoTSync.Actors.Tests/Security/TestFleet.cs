using System.Security.Cryptography.X509Certificates;
using IoTSync.Model;
using IoTSync.Security;

namespace IoTSync.Tests.Security;

/// <summary>A fleet CA for a spec, and the credentials it (or another CA) issues, as the CLI verbs would make them.</summary>
internal sealed class TestFleet : IDisposable
{
    private static readonly TimeSpan Year = TimeSpan.FromDays(365);
    private readonly string _directory = Directory.CreateTempSubdirectory("iotsync-fleet-").FullName;

    // Made a month ago, so it can have issued a certificate that has expired since.
    public TestFleet()
        : this(FleetCa.Create(Year, DateTimeOffset.UtcNow.AddDays(-30)))
    {
    }

    /// <summary>A fleet around an existing CA (a deployment's, loaded from its files).</summary>
    public TestFleet(FleetCa ca) => Ca = ca;

    public FleetCa Ca { get; }

    /// <summary>Writes the CA certificate and a mirror certificate and key into <paramref name="directory"/>; returns the iotsync.tls HOCON for them.</summary>
    public string MirrorFiles(string directory)
    {
        using var mirror = Ca.IssueMirror("iotsync-mirror", Year, DateTimeOffset.UtcNow, ["127.0.0.1", "localhost"]);
        PemFiles.WriteNew(Path.Combine(directory, "fleet-ca.crt"), Ca.Certificate.ExportCertificatePem(), ownerOnly: false);
        PemFiles.WriteNew(Path.Combine(directory, "mirror.crt"), mirror.ExportCertificatePem(), ownerOnly: false);
        PemFiles.WriteNew(Path.Combine(directory, "mirror.key"), mirror.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem(), ownerOnly: true);
        return $$"""
            iotsync.tls {
              enabled = on
              ca-certificate = "{{directory}}/fleet-ca.crt"
              certificate = "{{directory}}/mirror.crt"
              key = "{{directory}}/mirror.key"
            }
            """;
    }

    /// <summary>A device's certificate with its key, from a request made as <c>iotsync-device init</c> makes it, signed by <paramref name="ca"/> (this fleet's by default).</summary>
    public X509Certificate2 Device(DeviceId device, FleetCa? ca = null, DateTimeOffset? issuedAt = null, TimeSpan? validity = null)
    {
        var key = Path.Combine(_directory, $"{device.Value}-{Guid.NewGuid():n}.key");
        var request = DeviceCredentials.CreateKeyAndRequest(device, key);
        using var issued = (ca ?? Ca).IssueDevice(request, device, validity ?? Year, issuedAt ?? DateTimeOffset.UtcNow);
        var certificate = Path.ChangeExtension(key, ".crt");
        File.WriteAllText(certificate, issued.ExportCertificatePem());
        return X509Certificate2.CreateFromPemFile(certificate, key);
    }

    /// <summary>
    /// A device's TLS files in <paramref name="directory"/> as init and enrolment leave them (device.key,
    /// device.crt, fleet-ca.crt); returns the iotsync.tls HOCON for them.
    /// </summary>
    public string DeviceFiles(string directory, DeviceId device)
    {
        var key = Path.Combine(directory, "device.key");
        using var issued = Ca.IssueDevice(DeviceCredentials.CreateKeyAndRequest(device, key), device, Year, DateTimeOffset.UtcNow);
        File.WriteAllText(Path.Combine(directory, "device.crt"), issued.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "fleet-ca.crt"), Ca.Certificate.ExportCertificatePem());
        return $$"""
            iotsync.tls {
              enabled = on
              ca-certificate = "{{directory}}/fleet-ca.crt"
              certificate = "{{directory}}/device.crt"
              key = "{{key}}"
            }
            """;
    }

    public void Dispose()
    {
        Ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
