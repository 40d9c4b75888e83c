using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTSync.Model;

namespace IoTSync.Security;

/// <summary>
/// A device's side of enrolment: its own key (ECDSA P-256, made on the device, owner-only, never sent
/// anywhere) and a certificate request for it, which the mirror's <c>enroll</c> signs.
/// </summary>
public static class DeviceCredentials
{
    /// <summary>Makes the device's key at <paramref name="keyPath"/> and returns the certificate request (PEM) naming <paramref name="device"/>.</summary>
    public static string CreateKeyAndRequest(DeviceId device, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        PemFiles.WriteNew(keyPath, key.ExportPkcs8PrivateKeyPem(), ownerOnly: true);
        return new CertificateRequest(FleetIdentity.DeviceSubject(device), key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
    }
}
