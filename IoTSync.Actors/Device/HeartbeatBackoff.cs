namespace IoTSync.Device;

/// <summary>
/// The <see cref="HeartbeatSender"/>'s retry schedule within one window: attempt n waits
/// <see cref="Initial"/> × 2^(n-1), never past <see cref="GiveUpAfter"/> from the window's first
/// heartbeat, after which the mirror counts as unreachable. Pure: the actor hands in the time elapsed.
/// </summary>
public sealed record HeartbeatBackoff(TimeSpan Initial, TimeSpan GiveUpAfter)
{
    // Caps the shift so it cannot overflow; 2^20 times the first wait is far past any give-up bound.
    private const int MaxDoublings = 20;

    public bool GivenUp(TimeSpan elapsed) => elapsed >= GiveUpAfter;

    /// <summary>How long to wait for an answer to attempt <paramref name="attempt"/> before the next, sent <paramref name="elapsed"/> into the window.</summary>
    public TimeSpan DelayAfter(int attempt, TimeSpan elapsed)
    {
        var backoff = TimeSpan.FromTicks(Initial.Ticks << Math.Min(attempt - 1, MaxDoublings));
        var remaining = GiveUpAfter - elapsed;
        return backoff < remaining ? backoff : remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }
}
