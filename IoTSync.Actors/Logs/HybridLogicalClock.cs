namespace IoTSync.Logs;

/// <summary>
/// Hybrid logical clock (Kulkarni et al.). Not thread-safe: each log writer (an actor) owns one.
/// </summary>
public sealed class HybridLogicalClock
{
    private readonly IWallClock _wall;

    public HybridLogicalClock(IWallClock wall, HlcTimestamp last = default)
    {
        _wall = wall;
        Last = last;
    }

    public HlcTimestamp Last { get; private set; }

    /// <summary>A timestamp for a local event, later than every timestamp seen so far.</summary>
    public HlcTimestamp Now()
    {
        var physical = _wall.UtcNowMs;
        Last = physical > Last.WallMs ? new HlcTimestamp(physical, 0)
            // An observed remote counter can be at its limit: carry into the next millisecond rather than wrap.
            : Last.Counter == int.MaxValue ? new HlcTimestamp(Last.WallMs + 1, 0)
            : Last with { Counter = Last.Counter + 1 };
        return Last;
    }

    /// <summary>Folds in a timestamp received from the other side, so later local events order after it.</summary>
    public void Observe(HlcTimestamp remote)
    {
        if (remote > Last)
            Last = remote;
    }
}
