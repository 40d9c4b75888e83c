using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTSync.Model;

namespace IoTSync.Security;

/// <summary>
/// The fleet's own certificate authority (ECDSA P-256): it issues the mirror's certificate and signs the
/// devices' certificate requests, and it is the only root either side trusts on Akka.Remote's TLS.
/// Its key is written owner-only and never leaves the mirror host.
/// </summary>
public sealed class FleetCa : IDisposable
{
    /// <summary>The CA's subject; the issued certificates name it as their issuer.</summary>
    public const string Subject = "CN=IoTSync fleet CA";

    private FleetCa(X509Certificate2 certificate) => Certificate = certificate;

    /// <summary>The CA certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>A new CA, valid from now for <paramref name="validity"/>.</summary>
    public static FleetCa Create(TimeSpan validity, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return new FleetCa(request.CreateSelfSigned(now.AddMinutes(-5), now + validity));
    }

    /// <summary>Writes the certificate (PEM) and the key (PKCS#8 PEM, owner-only from creation); refuses to overwrite either.</summary>
    public void Save(string certificatePath, string keyPath)
    {
        PemFiles.WriteNew(keyPath, Certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem(), ownerOnly: true);
        PemFiles.WriteNew(certificatePath, Certificate.ExportCertificatePem(), ownerOnly: false);
    }

    public static FleetCa Load(string certificatePath, string keyPath) =>
        new(X509Certificate2.CreateFromPemFile(certificatePath, keyPath));

    /// <summary>
    /// Signs a device's certificate request: the certificate names the device id and nothing else
    /// (DotNetty's TLS 1.2 sends it in clear), is for client authentication only, and carries the
    /// request's public key — the device's private key never leaves it. The request must be signed by
    /// that key and name the same device.
    /// </summary>
    public X509Certificate2 IssueDevice(string requestPem, DeviceId device, TimeSpan validity, DateTimeOffset now)
    {
        var request = CertificateRequest.LoadSigningRequestPem(requestPem, HashAlgorithmName.SHA256);
        if (FleetIdentity.DeviceOf(request.SubjectName) is not { } named || named != device)
            throw new CryptographicException($"the certificate request names '{request.SubjectName.Name}', not the device {device}");
        return Issue(request.PublicKey, FleetIdentity.DeviceSubject(device), [FleetIdentity.ClientAuth], validity, now);
    }

    /// <summary>
    /// The mirror's certificate, for server authentication (devices, HTTPS clients) and client authentication (the
    /// other mirror nodes of a cluster, which it dials), with a fresh key of its own; <paramref name="addresses"/>
    /// (IP addresses or host names) go in its subject alternative names, so HTTPS clients such as curl or a
    /// browser that trust the fleet CA accept it at those addresses.
    /// </summary>
    public X509Certificate2 IssueMirror(string name, TimeSpan validity, DateTimeOffset now, IEnumerable<string>? addresses = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(FleetIdentity.MirrorSubject(name), key, HashAlgorithmName.SHA256);
        using var issued = Issue(request.PublicKey, request.SubjectName, [FleetIdentity.ServerAuth, FleetIdentity.ClientAuth], validity, now, addresses);
        return issued.CopyWithPrivateKey(key);
    }

    private X509Certificate2 Issue(PublicKey publicKey, X500DistinguishedName subject, Oid[] usages, TimeSpan validity, DateTimeOffset now,
        IEnumerable<string>? addresses = null)
    {
        var request = new CertificateRequest(subject, publicKey, HashAlgorithmName.SHA256);
        if (addresses?.Distinct(StringComparer.OrdinalIgnoreCase).ToList() is { Count: > 0 } names)
        {
            var alternative = new SubjectAlternativeNameBuilder();
            foreach (var address in names)
                if (System.Net.IPAddress.TryParse(address, out var ip))
                    alternative.AddIpAddress(ip);
                else
                    alternative.AddDnsName(address);
            request.CertificateExtensions.Add(alternative.Build());
        }
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. usages], true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        // An issued certificate lies within the CA's own validity.
        var notBefore = now.AddMinutes(-5) > Certificate.NotBefore ? now.AddMinutes(-5) : new DateTimeOffset(Certificate.NotBefore);
        var notAfter = now + validity < Certificate.NotAfter ? now + validity : new DateTimeOffset(Certificate.NotAfter);
        return request.Create(Certificate, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
    }

    public void Dispose() => Certificate.Dispose();
}
