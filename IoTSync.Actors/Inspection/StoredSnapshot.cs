namespace IoTSync.Inspection;

/// <summary>The latest snapshot of a persistent actor: at which journal sequence number, and its state (or an <see cref="UndecodablePayload"/>).</summary>
public sealed record StoredSnapshot(long JournalSequenceNr, DateTimeOffset TakenAt, object State);
