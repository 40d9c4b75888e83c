namespace IoTSync.Inspection;

/// <summary>
/// What a journal or snapshot row held when its bytes did not decode: the manifest, the raw
/// bytes and why. The inspection reads through <see cref="TolerantIoTSyncSerializer"/>, which
/// hands this back instead of throwing, so one bad row is reported instead of ending the read.
/// </summary>
public sealed record UndecodablePayload(string Manifest, byte[] Bytes, string Reason);

/// <summary>One event as the read journal returns it.</summary>
/// <param name="JournalSequenceNr">The event's sequence number in its persistent actor's journal.</param>
/// <param name="WrittenAtUtcTicks">When the journal wrote it (<c>EventEnvelope.Timestamp</c>: UTC ticks).</param>
/// <param name="Event">The decoded event, or an <see cref="UndecodablePayload"/>.</param>
public sealed record StoredEvent(long JournalSequenceNr, long WrittenAtUtcTicks, object Event)
{
    public DateTimeOffset WrittenAt => WrittenAtUtcTicks > 0 ? new DateTimeOffset(WrittenAtUtcTicks, TimeSpan.Zero) : DateTimeOffset.MinValue;
}

/// <summary>The latest snapshot of a persistent actor: at which journal sequence number, and its state (or an <see cref="UndecodablePayload"/>).</summary>
public sealed record StoredSnapshot(long JournalSequenceNr, DateTimeOffset TakenAt, object State);
