namespace IoTSync.Inspection;

/// <summary>What <c>journal stats</c> reports: per device, and for the whole file.</summary>
public sealed record JournalStatistics(
    string DatabasePath,
    long DatabaseBytes,
    long WalBytes,
    DateTimeOffset Now,
    IReadOnlyList<DeviceStatistics> Devices)
{
    /// <summary>The window the write rate is measured over.</summary>
    public static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    public long Events => Devices.Sum(d => d.Events);

    public long EventsLastHour => Devices.Sum(d => d.EventsLastHour);

    public double EventsPerSecondLastHour => EventsLastHour / Hour.TotalSeconds;

    /// <summary>From audits run with <c>countSince = now - 1 hour</c>.</summary>
    public static JournalStatistics From(string databasePath, long databaseBytes, long walBytes, DateTimeOffset now, IEnumerable<ActorReport> reports) =>
        new(databasePath, databaseBytes, walBytes, now,
            [.. reports.OrderBy(r => r.Device.Value, StringComparer.Ordinal).Select(r => new DeviceStatistics(
                r.Device, r.Events, r.DeviceLog.Kinds, r.MirrorLog.Kinds, r.EventsWrittenSince, r.LastWrite))]);
}
