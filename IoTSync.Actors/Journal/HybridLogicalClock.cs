namespace IoTSync.Journal;

/// <summary>
/// A hybrid-logical-clock reading: wall-clock milliseconds plus a counter that orders events
/// within the same millisecond and survives a wall clock that steps backwards.
/// </summary>
public readonly record struct HlcTimestamp(long WallMs, int Counter) : IComparable<HlcTimestamp>
{
    public static HlcTimestamp Zero => new(0, 0);

    public int CompareTo(HlcTimestamp other)
    {
        var byWall = WallMs.CompareTo(other.WallMs);
        return byWall != 0 ? byWall : Counter.CompareTo(other.Counter);
    }

    public static bool operator <(HlcTimestamp a, HlcTimestamp b) => a.CompareTo(b) < 0;
    public static bool operator >(HlcTimestamp a, HlcTimestamp b) => a.CompareTo(b) > 0;
    public static bool operator <=(HlcTimestamp a, HlcTimestamp b) => a.CompareTo(b) <= 0;
    public static bool operator >=(HlcTimestamp a, HlcTimestamp b) => a.CompareTo(b) >= 0;

    public static HlcTimestamp Max(HlcTimestamp a, HlcTimestamp b) => a >= b ? a : b;

    public override string ToString() => $"{WallMs}.{Counter}";
}

/// <summary>Source of wall-clock time, injected so that tests and replays are deterministic.</summary>
public interface IWallClock
{
    long UtcNowMs { get; }
}

/// <summary>The machine's clock.</summary>
public sealed class SystemWallClock : IWallClock
{
    public static SystemWallClock Instance { get; } = new();
    public long UtcNowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}

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
