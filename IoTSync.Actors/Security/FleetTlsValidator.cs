using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;
using IoTSync.Mirror;

namespace IoTSync.Security;

/// <summary>
/// Judges a peer's certificate on Akka.Remote's TLS: the chain is built against the fleet CA alone
/// (<see cref="X509ChainTrustMode.CustomRootTrust"/>, nothing from the system store), must end at the CA's
/// own bytes, the certificate must be for <paramref name="usage"/> (client authentication at the mirror,
/// server authentication at the device), and at the mirror the device it names must be admitted
/// (enrolled, not disabled) and the certificate must be the one pinned for it, or the one its last
/// rotation replaced while the overlap lasts. Each refusal is logged with its reason.
/// </summary>
public sealed class FleetTlsValidator(X509Certificate2 fleetCa, Oid usage, IDeviceAdmission? admission, Func<DateTime>? now = null, Refusals? refusals = null)
{
    /// <summary>The validator as DotNetty's callback.</summary>
    public CertificateValidationCallback Callback => (certificate, _, peer, _, log) =>
    {
        var problem = Problem(certificate);
        if (problem is not null)
        {
            refusals?.Count(Refusals.TlsRefused);
            log.Warning("TLS peer {0} refused: {1}", peer, problem);
        }
        return problem is null;
    };

    /// <summary>Why <paramref name="certificate"/> is refused, or null when it is accepted.</summary>
    public string? Problem(X509Certificate2? certificate)
    {
        if (certificate is null)
            return "no certificate";
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(fleetCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(usage);
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (now is not null)
            chain.ChainPolicy.VerificationTime = now();
        if (!chain.Build(certificate))
            return $"'{certificate.Subject}' does not chain to the fleet CA for {usage.FriendlyName}: " +
                   string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Distinct());
        var root = chain.ChainElements[^1].Certificate;
        if (!root.RawDataMemory.Span.SequenceEqual(fleetCa.RawDataMemory.Span))
            return $"'{certificate.Subject}' chains to '{root.Subject}', not the fleet CA";
        if (admission is null)
            return FleetIdentity.IsMirror(certificate) ? null : $"'{certificate.Subject}' is not a mirror's certificate";
        if (FleetIdentity.DeviceOf(certificate.SubjectName) is not { } device)
            return $"'{certificate.Subject}' names no device";
        var standing = admission.StandingOf(device);
        if (standing != DeviceStanding.Enabled)
            return $"device {device} is {(standing == DeviceStanding.Disabled ? "disabled" : "not enrolled")}";
        return admission.CertificateProblem(device, CertificatePin.Of(certificate), new DateTimeOffset((now?.Invoke() ?? DateTime.UtcNow).ToUniversalTime()).ToUnixTimeMilliseconds());
    }

    /// <summary>The mirror's validator: devices' client certificates, admitted devices only.</summary>
    public static FleetTlsValidator AtMirror(X509Certificate2 fleetCa, IDeviceAdmission admission, Refusals? refusals = null) =>
        new(fleetCa, FleetIdentity.ClientAuth, admission, refusals: refusals);

    /// <summary>
    /// A cluster mirror node's validator for its peers: only mirror certificates of the fleet CA (a device's
    /// certificate names no mirror and is refused). Both directions check for server authentication, which
    /// every mirror certificate carries.
    /// </summary>
    public static FleetTlsValidator BetweenMirrors(X509Certificate2 fleetCa, Refusals? refusals = null) => new(fleetCa, FleetIdentity.ServerAuth, null, refusals: refusals);

    /// <summary>The device's validator: the mirror's server certificate.</summary>
    public static FleetTlsValidator AtDevice(X509Certificate2 fleetCa, Refusals? refusals = null) => new(fleetCa, FleetIdentity.ServerAuth, null, refusals: refusals);
}
