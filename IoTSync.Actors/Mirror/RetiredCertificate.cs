namespace IoTSync.Mirror;

/// <summary>
/// The certificate a rotation replaced and when: honoured for the configured overlap after
/// <see cref="RotatedAtUnixMs"/>, so the device can install its new one in its own time, then refused.
/// <see cref="Pin"/> null: the device had no pinned certificate before (enrolled before pins, or without
/// <c>--csr</c>), so during the overlap any certificate the fleet CA signed for it is honoured.
/// </summary>
public sealed record RetiredCertificate(CertificatePin? Pin, long RotatedAtUnixMs)
{
    /// <summary>True while <paramref name="nowUnixMs"/> is before the end of the overlap.</summary>
    public bool HonouredAt(long nowUnixMs, TimeSpan overlap) => nowUnixMs < RefusedFromUnixMs(overlap);

    /// <summary>When the overlap ends.</summary>
    public long RefusedFromUnixMs(TimeSpan overlap) => RotatedAtUnixMs + (long)overlap.TotalMilliseconds;
}
