namespace IoTSync.Protocol;

/// <summary>
/// One device's heartbeat token bucket under a <see cref="HeartbeatRate"/>: pure; time comes in as an
/// argument. <see cref="Take"/> says whether a heartbeat at that time is admitted and gives the next bucket.
/// </summary>
public sealed record HeartbeatBucket(double Tokens, long AtUnixMs)
{
    /// <summary>A device not heard from yet: a full bucket.</summary>
    public static HeartbeatBucket Full(HeartbeatRate rate, long nowUnixMs) => new(rate.Burst, nowUnixMs);

    public (bool Admitted, HeartbeatBucket Next) Take(HeartbeatRate rate, long nowUnixMs)
    {
        // A clock that steps back refills nothing and takes nothing away.
        var elapsed = Math.Max(0, nowUnixMs - AtUnixMs);
        var tokens = Math.Min(rate.Burst, Tokens + elapsed / Math.Max(1, rate.RefillEvery.TotalMilliseconds));
        var at = Math.Max(nowUnixMs, AtUnixMs);
        return tokens >= 1 ? (true, new HeartbeatBucket(tokens - 1, at)) : (false, new HeartbeatBucket(tokens, at));
    }
}
