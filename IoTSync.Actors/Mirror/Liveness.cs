namespace IoTSync.Mirror;

/// <summary>Whether a device keeps calling home.</summary>
public enum LivenessStatus
{
    /// <summary>It called home recently enough.</summary>
    Ok,

    /// <summary>It missed more windows than allowed: the first sign of a dead or captured device.</summary>
    Late,

    /// <summary>No heartbeat from it was ever recorded.</summary>
    NeverSeen,

    /// <summary>Marked diverged: syncing stopped until an operator acts, whatever its heartbeats say.</summary>
    Diverged,
}

/// <summary>A device's liveness now: the status, how long since its last heartbeat, how many windows it missed.</summary>
public sealed record LivenessVerdict(LivenessStatus Status, long SilentForMs, long MissedWindows)
{
    /// <summary><c>ok</c>, <c>late</c>, <c>never-seen</c> or <c>diverged</c>, as listings show it.</summary>
    public string Label => Status switch
    {
        LivenessStatus.Ok => "ok",
        LivenessStatus.Late => "late",
        LivenessStatus.NeverSeen => "never-seen",
        _ => "diverged",
    };
}

/// <summary>
/// Judges whether a device is late, from its last heartbeat (mirror time), the cycle period it
/// reported, and the mirror's clock. Pure.
/// </summary>
/// <remarks>
/// A device is due to call home once per cycle period, so <c>MissedWindows</c> is the number of
/// whole cycle periods since its last heartbeat. That count includes the window falling due at
/// the moment, whose heartbeat may still be on its way (the interface takes a moment to come up),
/// so a device is late only when it has missed <em>more</em> windows than allowed: from
/// <c>(lateAfterMissedWindows + 1) × period</c> of silence on. A device that reported no usable
/// period (0 or less) cannot be judged and counts as ok.
/// </remarks>
public static class Liveness
{
    public static LivenessVerdict Judge(long? lastHeartbeatAtUnixMs, long cyclePeriodMs, long nowUnixMs, int lateAfterMissedWindows, bool diverged = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lateAfterMissedWindows);
        if (lastHeartbeatAtUnixMs is not { } last)
            return new LivenessVerdict(diverged ? LivenessStatus.Diverged : LivenessStatus.NeverSeen, 0, 0);
        // A mirror clock stepped back makes the last heartbeat look to be in the future: not silent at all.
        var silent = Math.Max(0, nowUnixMs - last);
        var missed = cyclePeriodMs > 0 ? silent / cyclePeriodMs : 0;
        var status = diverged ? LivenessStatus.Diverged : missed > lateAfterMissedWindows ? LivenessStatus.Late : LivenessStatus.Ok;
        return new LivenessVerdict(status, silent, missed);
    }

    /// <summary>The verdict on what a <see cref="StateJournal"/> holds.</summary>
    public static LivenessVerdict Of(StateJournalState state, long nowUnixMs, int lateAfterMissedWindows) =>
        Judge(state.History.LastHeartbeatAtUnixMs, state.History.CyclePeriodMs, nowUnixMs, lateAfterMissedWindows, state.IsDiverged);
}
