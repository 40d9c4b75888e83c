namespace IoTSync.Logs;

/// <summary>
/// Why a log holder's journal cannot be trusted after recovery: the first entry (or snapshot) that
/// failed <see cref="RecoveryCheck"/>, with its place in the journal, or a recovery that failed
/// outright (<see cref="Log"/> null). <see cref="Describe"/> is what operators are shown.
/// </summary>
public sealed record RecoveryFault(Origin? Log, long Sequence, long JournalSequenceNr, Verdict? Verdict, string Detail)
{
    /// <summary>An entry or a snapshot that fails its check.</summary>
    public static RecoveryFault Of(ChainCheck check, Origin? log, long journalSequenceNr) =>
        new(log, check.Sequence, journalSequenceNr, check.Verdict, check.Detail);

    /// <summary>A recovery that failed before it could be checked (an event or snapshot that does not decode, say).</summary>
    public static RecoveryFault Failed(long journalSequenceNr, string reason) => new(null, 0, journalSequenceNr, null, reason);

    /// <summary><c>mirror log entry 2 (journal event 5): BadHash: hash does not match the entry's content</c>.</summary>
    public string Describe() => (Log, Verdict) switch
    {
        ({ } log, { } verdict) => $"{log.ToString().ToLowerInvariant()} log entry {Sequence} (journal event {JournalSequenceNr}): {verdict}: {Detail}",
        (null, { } verdict) => $"snapshot at journal event {JournalSequenceNr}: {verdict}: {Detail}",
        _ => $"recovery failed at journal event {JournalSequenceNr}: {Detail}",
    };

    public override string ToString() => Describe();
}
