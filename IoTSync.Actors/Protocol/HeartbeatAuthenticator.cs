using System.Security.Cryptography;
using IoTSync.Logs;

namespace IoTSync.Protocol;

/// <summary>
/// Signs and checks heartbeats and their acks with a device's key: HMAC-SHA256 over a canonical
/// encoding of every field. Pure; the replay memory is <see cref="NonceWindow"/>.
/// </summary>
public static class HeartbeatAuthenticator
{
    public const int NonceBytes = 16;
    public const int MinimumKeyBytes = 32;

    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(NonceBytes));

    public static Heartbeat Sign(Heartbeat heartbeat, ReadOnlySpan<byte> key) => heartbeat with { Mac = Mac(key, Encode(heartbeat)) };

    public static HeartbeatAck Sign(HeartbeatAck ack, ReadOnlySpan<byte> key) => ack with { Mac = Mac(key, Encode(ack)) };

    public static SessionAbandoned Sign(SessionAbandoned abandoned, ReadOnlySpan<byte> key) => abandoned with { Mac = Mac(key, Encode(abandoned)) };

    public static bool HasValidMac(SessionAbandoned abandoned, ReadOnlySpan<byte> key) => Matches(abandoned.Mac, Mac(key, Encode(abandoned)));

    public static bool HasValidMac(Heartbeat heartbeat, ReadOnlySpan<byte> key) => Matches(heartbeat.Mac, Mac(key, Encode(heartbeat)));

    public static bool HasValidMac(HeartbeatAck ack, ReadOnlySpan<byte> key) => Matches(ack.Mac, Mac(key, Encode(ack)));

    public static bool IsWellFormedNonce(string nonce) =>
        nonce.Length == NonceBytes * 2 && nonce.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    private static byte[] Encode(Heartbeat heartbeat)
    {
        var writer = new CanonicalWriter();
        writer.Tag("IOTSYNC/HEARTBEAT/2");
        writer.String(heartbeat.Device.Value);
        writer.Int64(heartbeat.DeviceLog.Length);
        writer.Hash(heartbeat.DeviceLog.Head);
        writer.Int64(heartbeat.MirrorLogSeen.Length);
        writer.Hash(heartbeat.MirrorLogSeen.Head);
        writer.Hash(heartbeat.StateDigest);
        writer.Int64(heartbeat.SentAtUnixMs);
        writer.Int64(heartbeat.CyclePeriodMs);
        writer.Bool(heartbeat.PreviousWindow is not null);
        if (heartbeat.PreviousWindow is { } window)
        {
            writer.Int32(window.Number);
            writer.Int64(window.DurationMs);
            writer.Int64(window.UsableAfterMs);
            writer.String(window.Outcome);
        }
        writer.String(heartbeat.Nonce);
        return writer.ToArray();
    }

    private static byte[] Encode(HeartbeatAck ack)
    {
        var writer = new CanonicalWriter();
        writer.Tag("IOTSYNC/HEARTBEAT-ACK/1");
        writer.String(ack.Device.Value);
        writer.Byte((byte)ack.Action);
        writer.String(ack.SessionId);
        writer.Int64(ack.MirrorLog.Length);
        writer.Hash(ack.MirrorLog.Head);
        writer.Int64(ack.MirrorTimeUnixMs);
        writer.String(ack.Reason);
        writer.String(ack.HeartbeatNonce);
        return writer.ToArray();
    }

    private static byte[] Encode(SessionAbandoned abandoned)
    {
        var writer = new CanonicalWriter();
        writer.Tag("IOTSYNC/SESSION-ABANDONED/1");
        writer.String(abandoned.Device.Value);
        writer.String(abandoned.SessionId);
        writer.String(abandoned.Reason);
        return writer.ToArray();
    }

    private static string Mac(ReadOnlySpan<byte> key, byte[] data)
    {
        if (key.Length < MinimumKeyBytes)
            throw new ArgumentException($"a heartbeat key has at least {MinimumKeyBytes} bytes");
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, data));
    }

    private static bool Matches(string claimed, string expected) =>
        claimed.Length == expected.Length &&
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(claimed), System.Text.Encoding.ASCII.GetBytes(expected));
}
