namespace IoTSync.Mirror;

/// <summary>Whether a device keeps calling home.</summary>
public enum LivenessStatus
{
    /// <summary>It called home recently enough, and its window may still be open: the mirror can reach it now.</summary>
    Ok,

    /// <summary>
    /// It called home recently enough and its window has closed since (its session ended, or it has
    /// not been heard from for longer than its window limit): unreachable, as it should be, until
    /// its next window.
    /// </summary>
    Dark,

    /// <summary>It missed more windows than allowed: the first sign of a dead or captured device.</summary>
    Late,

    /// <summary>It calls home, but its last two sessions failed the same way (<see cref="WindowHistory.RepeatedSessionFailure"/>): it will not sync by itself.</summary>
    Failing,

    /// <summary>No heartbeat from it was ever recorded.</summary>
    NeverSeen,

    /// <summary>Marked diverged: syncing stopped until an operator acts, whatever its heartbeats say.</summary>
    Diverged,

    /// <summary>Its journal at the mirror failed its recovery check (or did not recover): nothing is served or written for it until an operator acts.</summary>
    Corrupt,

    /// <summary>Its last exchange with both logs the same found the two state digests differing: it keeps syncing, and is alerted, until an exchange agrees again.</summary>
    Mismatch,
}
