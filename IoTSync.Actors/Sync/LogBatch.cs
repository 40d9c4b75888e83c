using IoTSync.Logs;

namespace IoTSync.Sync;

/// <summary>A batch of log entries bounded by encoded bytes as well as by count.</summary>
public static class LogBatch
{
    /// <summary>
    /// The longest start of <paramref name="entries"/> whose encodings add up to at most
    /// <paramref name="maxBytes"/>, and never less than one entry (every entry fits on its own:
    /// <see cref="EntrySize"/> bounds it at its writer).
    /// </summary>
    public static IReadOnlyList<LogEntry> Fit(IReadOnlyList<LogEntry> entries, int maxBytes)
    {
        var total = 0L;
        for (var i = 0; i < entries.Count; i++)
        {
            total += EntrySize.Of(entries[i]);
            if (total > maxBytes && i > 0)
                return entries.Take(i).ToList();
        }
        return entries;
    }
}
