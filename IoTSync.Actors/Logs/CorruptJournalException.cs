namespace IoTSync.Logs;

/// <summary>A log holder's journal failed <see cref="RecoveryCheck"/> (or did not recover at all): nothing is served from it.</summary>
public sealed class CorruptJournalException(string persistenceId, RecoveryFault fault)
    : IOException($"the journal of {persistenceId} is corrupt: {fault.Describe()}; nothing was run or sent from it " +
                  "('journal verify' lists every problem; restore the database from a backup)")
{
    public RecoveryFault Fault { get; } = fault;
}
