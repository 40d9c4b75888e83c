using IoTSync.Model;

namespace IoTSync.Inspection;

/// <summary>One device's share of a journal: entries per log and kind, events, recent write rate.</summary>
public sealed record DeviceStatistics(
    DeviceId Device,
    long Events,
    KindCounts DeviceLog,
    KindCounts MirrorLog,
    long EventsLastHour,
    DateTimeOffset? LastWrite)
{
    public double EventsPerSecondLastHour => EventsLastHour / JournalStatistics.Hour.TotalSeconds;
}
