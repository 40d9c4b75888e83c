namespace IoTSync.Mirror;

/// <summary>
/// The credentials a rotation replaced and when: honoured for the configured overlap after
/// <see cref="RotatedAtUnixMs"/>, so a device can take its new ones in its own time, then refused.
/// </summary>
/// <param name="HeartbeatKey">The heartbeat key the device had before (hex).</param>
/// <param name="RotatedAtUnixMs">When the rotation replaced it.</param>
/// <param name="MirrorKeyFile">The mirror's SSH key the device had before; empty for the node's own key.</param>
public sealed record RetiredCredentials(string HeartbeatKey, long RotatedAtUnixMs, string MirrorKeyFile = "")
{
    /// <summary>True while <paramref name="nowUnixMs"/> is before the end of the overlap (rotation time plus <paramref name="overlap"/>).</summary>
    public bool HonouredAt(long nowUnixMs, TimeSpan overlap) => nowUnixMs < RotatedAtUnixMs + (long)overlap.TotalMilliseconds;

    /// <summary>When the overlap ends.</summary>
    public long RefusedFromUnixMs(TimeSpan overlap) => RotatedAtUnixMs + (long)overlap.TotalMilliseconds;
}
