namespace IoTSync.MirrorApi.Resources;

/// <summary>
/// Enrol a device (or replace its details): its SSH endpoint and account, its host key fingerprint,
/// its heartbeat key (hex), optionally the TLS certificate pinned for it, and overrides for the
/// authorized_keys line's <c>from=</c> address and forced command. <see cref="Mode"/> <c>reverse</c>
/// (default <c>direct</c>): the device dials the mirror host; then no SSH endpoint, account or host key,
/// but <see cref="DeviceSshKey"/>, the device's public key (its <c>.pub</c> line).
/// </summary>
public sealed record EnrolRequest(
    string? Device,
    string? SshHost,
    int SshPort,
    string? SshUser,
    string? HostKey,
    string? HeartbeatKey,
    CertificatePinResource? Certificate = null,
    string? From = null,
    string? DeviceCommand = null,
    string? Mode = null,
    string? DeviceSshKey = null);

/// <summary>A pinned TLS certificate: its SHA-256 (hex) and when it stops being valid.</summary>
public sealed record CertificatePinResource(string Sha256, long NotAfterUnixMs);

/// <summary>
/// The device as enrolled, and the exact line for its authorized_keys: the device's sync account's
/// (direct), or, for a reverse device, the mirror host's sync account's (<see cref="Mode"/>).
/// </summary>
public sealed record EnrolledResource(string Device, string Ssh, string HostKey, string? CertificateSha256, string AuthorizedKeys, string Mode = "direct");

/// <summary>The mirror host's authorized_keys lines, one per enrolled, enabled reverse device, in id order.</summary>
public sealed record AuthorizedKeysResource(IReadOnlyList<string> Lines);

/// <summary>Whether the device is now disabled.</summary>
public sealed record StandingResource(string Device, bool Disabled);

/// <summary>
/// Rotate a device's credentials: the new heartbeat key (hex; the caller made it and keeps it),
/// optionally the new certificate to pin, and overrides as in <see cref="EnrolRequest"/>.
/// </summary>
public sealed record RotateRequest(string? HeartbeatKey, CertificatePinResource? Certificate = null, string? From = null, string? DeviceCommand = null);

/// <summary>
/// The authorized_keys line for the mirror's new SSH key, when the previous credentials stop being
/// honoured, and what became of the TLS certificate. Never the heartbeat key.
/// </summary>
public sealed record RotatedResource(string Device, string AuthorizedKeys, long PreviousRefusedFromUnixMs, bool CertificateRotated, string Certificate);

/// <summary>The node's refusal counters since it started, by kind; zero counters left out.</summary>
public sealed record RefusalsResource(IReadOnlyDictionary<string, long> Refusals);
