using IoTSync.Logs;
using IoTSync.Serialization;

namespace IoTSync.Testing.Sync;

/// <summary>
/// A journal that survives a "crash": the events a side persisted, each stored as the codec's
/// bytes under its manifest (as the real serializer does) and read back decoded. A side's
/// in-memory state is lost on a crash; rebuilding it replays these events through the real pure
/// <c>Apply</c>. Journal sequence numbers start at 1, as in Akka.Persistence.
/// </summary>
public sealed class InMemoryJournal
{
    private readonly List<(string Manifest, byte[] Bytes, object Decoded)> _stored = [];

    public int Count => _stored.Count;

    /// <summary>The decoded events, oldest first.</summary>
    public IReadOnlyList<object> Events => [.. _stored.Select(s => s.Decoded)];

    /// <summary>Stores an event durably (round-tripped through the codec) and returns its journal sequence number.</summary>
    public long Persist(object @event)
    {
        var manifest = IoTSyncCodec.ManifestOf(@event);
        var bytes = IoTSyncCodec.Encode(@event);
        var decoded = IoTSyncCodec.Decode(bytes, manifest);
        _stored.Add((manifest, bytes, decoded));
        return _stored.Count;
    }

    public int CountOf<T>() => _stored.Count(s => s.Decoded is T);

    /// <summary>The entries of one log, in the order they were persisted.</summary>
    public IReadOnlyList<LogEntry> Entries(Origin origin) =>
        [.. _stored.Select(s => s.Decoded).OfType<EntryAppended>().Select(e => e.Entry).Where(e => e.Origin == origin)];

    /// <summary>
    /// Loses the last <paramref name="count"/> entries of one log and every event after the first
    /// of them: a storage restored from an older backup.
    /// </summary>
    public void LoseLastEntries(Origin origin, int count)
    {
        var positions = _stored
            .Select((s, i) => (s.Decoded, Index: i))
            .Where(s => s.Decoded is EntryAppended appended && appended.Entry.Origin == origin)
            .Select(s => s.Index)
            .ToList();
        if (count < 1 || count > positions.Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"the {origin} log holds {positions.Count} entries");
        var cut = positions[^count];
        _stored.RemoveRange(cut, _stored.Count - cut);
    }
}
