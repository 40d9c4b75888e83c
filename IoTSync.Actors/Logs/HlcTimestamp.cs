namespace IoTSync.Logs;

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
