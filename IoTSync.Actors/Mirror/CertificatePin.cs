using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTSync.Mirror;

/// <summary>
/// The one TLS certificate the registry admits for a device: the SHA-256 of its DER bytes (lower-case
/// hex) and when it expires. Pinned when the fleet CA signs it (<c>enroll --csr</c>, <c>device rotate
/// --csr</c>), so another certificate the CA once signed for the same device is not admitted.
/// </summary>
public sealed record CertificatePin(string Sha256, long NotAfterUnixMs)
{
    /// <summary>The pin of <paramref name="certificate"/>.</summary>
    public static CertificatePin Of(X509Certificate2 certificate) =>
        new(Convert.ToHexStringLower(SHA256.HashData(certificate.RawDataMemory.Span)), new DateTimeOffset(certificate.NotAfter.ToUniversalTime()).ToUnixTimeMilliseconds());

    public bool Matches(CertificatePin presented) => string.Equals(Sha256, presented.Sha256, StringComparison.OrdinalIgnoreCase);
}
