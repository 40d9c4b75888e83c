using IoTSync.Logs;

namespace IoTSync.Inspection;

/// <summary>
/// One log as the audit found it: <see cref="Seen"/> is the last stored entry (what a listing
/// shows), <see cref="Verified"/> how far the chain checks out, <see cref="Entries"/> every entry
/// when the audit kept them.
/// </summary>
public sealed record LogReport(Origin Origin, LogPosition Seen, LogPosition Verified, KindCounts Kinds, IReadOnlyList<LogEntry>? Entries)
{
    public long Length => Seen.Length;
}
