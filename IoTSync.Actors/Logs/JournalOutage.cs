namespace IoTSync.Logs;

/// <summary>
/// What a <see cref="JournalSupervisor"/> knows of its persistent child, and so what it does with a request:
/// forwarded while the child runs, answered at once with <see cref="Fault"/> while it is down. A fault stays
/// known after a restart until the restarted child has written again (the disk may still be full), and the
/// back-off grows with each restart until then.
/// </summary>
/// <param name="Fault">The last failure, named (<see cref="Persistence.JournalFault"/>); null once a write succeeded after it.</param>
/// <param name="ChildRunning">Whether the child is running (or recovering); false between its stop and its restart.</param>
/// <param name="Restarts">Restarts since the last successful write.</param>
public sealed record JournalOutage(string? Fault, bool ChildRunning, int Restarts)
{
    /// <summary>The child stopped without saying why (it failed before it knew its supervisor: in recovery).</summary>
    public const string StoppedUnexplained = "journal unavailable: the journal's actor stopped (see the node log)";

    public static JournalOutage Healthy { get; } = new(null, true, 0);

    /// <summary>Why a request is answered at once instead of forwarded; null: forward it.</summary>
    public string? Refusal => ChildRunning ? null : Fault ?? StoppedUnexplained;

    /// <summary>The child said why it is stopping: from now on requests are answered, not forwarded to it.</summary>
    public JournalOutage Failed(string fault) => this with { Fault = fault, ChildRunning = false };

    /// <summary>The child stopped: down until restarted after <paramref name="settings"/>' back-off for this many restarts.</summary>
    public (JournalOutage Outage, TimeSpan RestartAfter) Stopped(JournalRestartSettings settings, double random) =>
        (this with { ChildRunning = false, Fault = Fault ?? StoppedUnexplained, Restarts = Restarts + 1 }, settings.DelayAfter(Restarts, random));

    public JournalOutage Restarted() => this with { ChildRunning = true };

    /// <summary>The child wrote to its journal: healed.</summary>
    public JournalOutage Written() => Healthy;
}
