using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTSync.Mirror;
using IoTSync.Model;

namespace IoTSync.Security;

/// <summary>
/// A device's side of enrolment and rotation: its own key (ECDSA P-256, made on the device, owner-only,
/// never sent anywhere) and a certificate request for it, which the mirror's <c>enroll</c> or
/// <c>device rotate</c> signs. A renewal's key waits beside the current one (<see cref="PendingKey"/>)
/// until its certificate is installed; the current key and certificate serve until then.
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

    /// <summary>Where a renewal's new key waits for its certificate, beside the current key.</summary>
    public static string PendingKey(string keyPath) => keyPath + ".pending";

    /// <summary>Where a renewal's certificate request is written, beside the current key.</summary>
    public static string RenewalRequest(string keyPath) => Path.Combine(Path.GetDirectoryName(keyPath) ?? ".", "device-renew.csr");

    /// <summary>
    /// A renewal (<c>tls renew</c>): a new key at <see cref="PendingKey"/> and its request at
    /// <see cref="RenewalRequest"/>; the current key stays. Refused while a renewal is pending, so a
    /// request already given to the mirror keeps its key.
    /// </summary>
    public static string Renew(DeviceId device, string keyPath)
    {
        var pending = PendingKey(keyPath);
        if (File.Exists(pending))
            throw new IOException($"a renewal is pending ({pending}); install its certificate, or remove that key to start again");
        var request = RenewalRequest(keyPath);
        File.WriteAllText(request, CreateKeyAndRequest(device, pending));
        return request;
    }

    /// <summary>
    /// Installs a renewal's certificate (<c>tls install</c>): it must be for the pending key, name
    /// <paramref name="device"/>, be for client authentication and chain to the fleet CA at
    /// <paramref name="caPath"/>. Each file is replaced by a rename (never half written): the key first,
    /// then the certificate. Run again after an interruption between the two, it finds the certificate
    /// matching the current key and finishes. Nothing is changed when a check fails.
    /// </summary>
    public static void Install(DeviceId device, string certificatePem, string keyPath, string certificatePath, string caPath)
    {
        var pending = PendingKey(keyPath);
        var key = File.Exists(pending) ? pending : keyPath;
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(certificatePem, File.ReadAllText(key));
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new CryptographicException(File.Exists(pending)
                ? $"the certificate is not for the pending key {pending}: {e.Message}"
                : $"no renewal is pending ({pending} does not exist) and the certificate is not for the current key: {e.Message}");
        }
        using (certificate)
        {
            if (FleetIdentity.DeviceOf(certificate.SubjectName) != device)
                throw new CryptographicException($"refused: the certificate names '{certificate.Subject}', not the device {device}");
            using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caPath));
            if (new FleetTlsValidator(ca, FleetIdentity.ClientAuth, new OnlyDevice(device)).Problem(certificate) is { } problem)
                throw new CryptographicException($"refused: {problem}");
        }
        var staged = certificatePath + ".new";
        File.WriteAllText(staged, certificatePem.TrimEnd() + "\n");
        if (key == pending)
            File.Move(pending, keyPath, overwrite: true);
        File.Move(staged, certificatePath, overwrite: true);
    }

    /// <summary>Admits the one device a certificate being installed must name; pins are the mirror's business.</summary>
    private sealed class OnlyDevice(DeviceId device) : IDeviceAdmission
    {
        public DeviceStanding StandingOf(DeviceId named) => named == device ? DeviceStanding.Enabled : DeviceStanding.NotEnrolled;
    }
}
