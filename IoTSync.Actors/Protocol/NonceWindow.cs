namespace IoTSync.Protocol;

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
