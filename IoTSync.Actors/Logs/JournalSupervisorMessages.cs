namespace IoTSync.Logs;

/// <summary>What a <see cref="JournalSupervisor"/> and its persistent child tell each other, and what the supervisor is asked.</summary>
public static class JournalSupervisorMessages
{
    /// <summary>To the child from its supervisor, first thing: report failures and the first write to the sender.</summary>
    public sealed record Attach
    {
        public static Attach Instance { get; } = new();
    }

    /// <summary>To the supervisor: a journal write failed and the child is stopping; <see cref="Fault"/> names why.</summary>
    public sealed record ChildFailed(string Fault);

    /// <summary>
    /// From the child, for the supervisor's parent: the journal cannot be recovered at all, so starting
    /// it again is pointless; the supervisor passes the message up and stops for good.
    /// </summary>
    public interface IJournalGaveUp;

    /// <summary>What a log holder tells its parent when its journal did not recover at all (<see cref="Fault"/> names where and why).</summary>
    public sealed record JournalGaveUp(string PersistenceId, RecoveryFault Fault) : IJournalGaveUp;

    /// <summary>To the supervisor: the child's first successful write since it started.</summary>
    public sealed record ChildWrote
    {
        public static ChildWrote Instance { get; } = new();
    }

    /// <summary>How the journal stands. Answered with <see cref="JournalHealth"/> (by a bare log holder too: healthy).</summary>
    public sealed record GetJournalHealth
    {
        public static GetJournalHealth Instance { get; } = new();
    }

    /// <summary>
    /// The journal's standing: <see cref="Fault"/> null when healthy; else the last failure, with whether the
    /// actor is down now and how many times it was restarted since its last successful write.
    /// </summary>
    public sealed record JournalHealth(string? Fault, bool Down, int Restarts)
    {
        public static JournalHealth Healthy { get; } = new(null, false, 0);

        /// <summary>One line for a status display, or null when healthy.</summary>
        public string? Describe() => Fault is null
            ? null
            : Down
                ? $"{Fault} (restarting; {Restarts} restart(s) so far)"
                : $"{Fault} (restarted {Restarts} time(s); no write has succeeded since)";
    }
}
