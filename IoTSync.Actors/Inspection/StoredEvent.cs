namespace IoTSync.Inspection;

/// <summary>One event as the read journal returns it.</summary>
/// <param name="JournalSequenceNr">The event's sequence number in its persistent actor's journal.</param>
/// <param name="WrittenAtUtcTicks">When the journal wrote it (<c>EventEnvelope.Timestamp</c>: UTC ticks).</param>
/// <param name="Event">The decoded event, or an <see cref="UndecodablePayload"/>.</param>
public sealed record StoredEvent(long JournalSequenceNr, long WrittenAtUtcTicks, object Event)
{
    public DateTimeOffset WrittenAt => WrittenAtUtcTicks > 0 ? new DateTimeOffset(WrittenAtUtcTicks, TimeSpan.Zero) : DateTimeOffset.MinValue;
}
