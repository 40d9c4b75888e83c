using IoTSync.Logs;

namespace IoTSync.Model;

/// <summary>
/// Orders concurrent writes for last-writer-wins: HLC timestamp, then origin (mirror after
/// device), then sequence number. Total, so both sides pick the same winner.
/// </summary>
public readonly record struct WriteStamp(HlcTimestamp Time, Origin Origin, long Sequence) : IComparable<WriteStamp>
{
    public static WriteStamp Of(LogEntry entry) => new(entry.Timestamp, entry.Origin, entry.Sequence);

    public int CompareTo(WriteStamp other)
    {
        var byTime = Time.CompareTo(other.Time);
        if (byTime != 0) return byTime;
        var byOrigin = Origin.CompareTo(other.Origin);
        return byOrigin != 0 ? byOrigin : Sequence.CompareTo(other.Sequence);
    }
}
