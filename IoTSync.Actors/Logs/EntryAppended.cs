using IoTSync.Serialization;

namespace IoTSync.Logs;

/// <summary>
/// Journal event: one entry joined one of the two logs this actor holds — its own log (written
/// here) or its replica of the other side's. Exactly one entry per event, so the journal's
/// sequence numbers and <see cref="JournalIndex"/> locate every entry.
/// </summary>
public sealed record EntryAppended(LogEntry Entry) : IIoTSyncMessage;
