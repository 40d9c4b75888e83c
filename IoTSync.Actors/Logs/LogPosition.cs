using IoTSync.Model;

namespace IoTSync.Logs;

/// <summary>A log's length and the hash of its last entry (the genesis hash when empty).</summary>
public readonly record struct LogPosition(long Length, Sha256Hash Head)
{
    /// <summary>
    /// The position of an empty log. Its head is a genesis hash bound to the device and the origin,
    /// so an entry can never be replayed into another device's log or the other side's log.
    /// </summary>
    public static LogPosition Empty(DeviceId device, Origin origin) => new(0, CanonicalEncoding.GenesisHash(device, origin));

    public LogPosition After(LogEntry entry) => new(entry.Sequence, entry.Hash);

    public LogPosition After(IReadOnlyList<LogEntry> entries) => entries.Count == 0 ? this : After(entries[^1]);

    public override string ToString() => $"{Length}@{Head.Short}";
}
