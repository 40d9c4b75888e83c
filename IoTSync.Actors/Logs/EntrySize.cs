using IoTSync.Serialization;

namespace IoTSync.Logs;

/// <summary>
/// The size of a log entry as it travels and is stored: its codec encoding, where escaping can
/// make a text several times its UTF-8 bytes (<c>&lt;</c> is written <c>\u003C</c>). Every entry
/// is bounded by it at its writer, on both sides, so that one entry always fits a batch and a
/// batch always fits a frame (<see cref="Sync.ExchangeSettings"/>).
/// </summary>
public static class EntrySize
{
    /// <summary>The default bound, <c>iotsync.exchange.max-entry-bytes</c>.</summary>
    public const int DefaultMaxBytes = 1024 * 1024;

    public static int Of(LogEntry entry) => IoTSyncCodec.Encode(entry).Length;

    /// <summary>Why <paramref name="entry"/> may not be written, or null.</summary>
    public static string? Problem(LogEntry entry, int maxBytes) =>
        Of(entry) is var size && size > maxBytes
            ? $"its log entry would be {size} bytes encoded; the limit is {maxBytes} (iotsync.exchange.max-entry-bytes)"
            : null;
}
