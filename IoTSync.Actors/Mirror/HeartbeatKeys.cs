using IoTSync.Protocol;

namespace IoTSync.Mirror;

/// <summary>A key a rotation retired: when, and whether its overlap still lasts.</summary>
public sealed record RetiredKey(byte[] Key, long RotatedAtUnixMs, bool Honoured);

/// <summary>
/// What a heartbeat from one device may be signed with at one moment: its standing, its current
/// key, and the key its last rotation retired. Pure: <see cref="Match"/> picks the key a heartbeat
/// was signed with, or says why it is refused.
/// </summary>
public sealed record HeartbeatKeys(DeviceStanding Standing, byte[]? Current, RetiredKey? Retired)
{
    public static HeartbeatKeys NotEnrolled { get; } = new(DeviceStanding.NotEnrolled, null, null);

    public static HeartbeatKeys DisabledDevice { get; } = new(DeviceStanding.Disabled, null, null);

    /// <summary>An enrolled device's one key (nothing rotated).</summary>
    public static HeartbeatKeys Only(byte[] key) => new(DeviceStanding.Enabled, key, null);

    /// <summary>
    /// The key <paramref name="heartbeat"/> was signed with, to check it and sign the answer; or null
    /// and the reason it is refused: the device is not enrolled, is disabled, the MAC matches no key,
    /// or only the retired key after its overlap.
    /// </summary>
    public (byte[]? Key, string Refusal) Match(Heartbeat heartbeat)
    {
        if (Standing == DeviceStanding.Disabled)
            return (null, "the device is disabled");
        if (Standing == DeviceStanding.NotEnrolled || Current is null)
            return (null, "the device is not enrolled");
        if (HeartbeatAuthenticator.HasValidMac(heartbeat, Current))
            return (Current, "");
        if (Retired is { } retired && HeartbeatAuthenticator.HasValidMac(heartbeat, retired.Key))
            return retired.Honoured ? (retired.Key, "") : (null, $"signed with the key retired at {retired.RotatedAtUnixMs} (unix ms), whose overlap has ended");
        return (null, "bad MAC");
    }
}
