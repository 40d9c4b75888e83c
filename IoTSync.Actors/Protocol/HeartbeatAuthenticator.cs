using System.Security.Cryptography;
using IoTSync.Journal;

namespace IoTSync.Protocol;

/// <summary>Why a heartbeat was not accepted.</summary>
public enum HeartbeatRejection
{
    None,
    BadMac,
    OutsideTimeWindow,
    Replayed,
    MalformedNonce,
}

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

/// <summary>
/// Replay protection for one device: a heartbeat must be sent within <see cref="Window"/> of the
/// mirror's clock and carry a nonce not seen within the window. Memory is bounded by the window.
/// </summary>
public sealed class NonceWindow(TimeSpan window, int maxRemembered = 4096)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Queue<(string Nonce, long At)> _order = new();

    public TimeSpan Window => window;

    /// <summary>Checks and, when accepted, remembers the nonce. Call only after the MAC checked out.</summary>
    public HeartbeatRejection Admit(string nonce, long sentAtUnixMs, long nowUnixMs)
    {
        if (!HeartbeatAuthenticator.IsWellFormedNonce(nonce))
            return HeartbeatRejection.MalformedNonce;
        if (Math.Abs(nowUnixMs - sentAtUnixMs) > (long)window.TotalMilliseconds)
            return HeartbeatRejection.OutsideTimeWindow;
        Forget(nowUnixMs);
        if (!_seen.Add(nonce))
            return HeartbeatRejection.Replayed;
        _order.Enqueue((nonce, nowUnixMs));
        while (_order.Count > maxRemembered)
            _seen.Remove(_order.Dequeue().Nonce);
        return HeartbeatRejection.None;
    }

    private void Forget(long nowUnixMs)
    {
        // A nonce older than twice the window can no longer pass the time check, so it need not be remembered.
        var horizon = nowUnixMs - 2 * (long)window.TotalMilliseconds;
        while (_order.Count > 0 && _order.Peek().At < horizon)
            _seen.Remove(_order.Dequeue().Nonce);
    }
}
