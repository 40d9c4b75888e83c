namespace IoTSync.Mirror;

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
/// <para>
/// A device that is not late is <c>dark</c> once its window has closed: its last heartbeat was
/// answered with nothing to sync (the device closes at once), the session that answer started has
/// ended, or it has been silent for longer than its window limit (the longest any window stays
/// open). Without a window limit (null) a device is never judged dark.
/// </para>
/// <para>
/// A device whose journal is corrupt is <c>corrupt</c> whatever else holds; a diverged one
/// <c>diverged</c>; a device whose last agreeing exchange found the digests differing is
/// <c>mismatch</c> unless it is late.
/// </para>
/// </remarks>
public static class Liveness
{
    public static LivenessVerdict Judge(long? lastHeartbeatAtUnixMs, long cyclePeriodMs, long nowUnixMs, int lateAfterMissedWindows, bool diverged = false,
        long? windowLimitMs = null, bool windowClosedSinceHeartbeat = false, bool failing = false, bool corrupt = false, bool mismatch = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lateAfterMissedWindows);
        if (lastHeartbeatAtUnixMs is not { } last)
            return new LivenessVerdict(corrupt ? LivenessStatus.Corrupt : diverged ? LivenessStatus.Diverged : mismatch ? LivenessStatus.Mismatch : LivenessStatus.NeverSeen, 0, 0);
        // A mirror clock stepped back makes the last heartbeat look to be in the future: not silent at all.
        var silent = Math.Max(0, nowUnixMs - last);
        var missed = cyclePeriodMs > 0 ? silent / cyclePeriodMs : 0;
        var closed = windowLimitMs is { } limit && (windowClosedSinceHeartbeat || silent >= limit);
        var status = corrupt ? LivenessStatus.Corrupt
            : diverged ? LivenessStatus.Diverged
            : missed > lateAfterMissedWindows ? LivenessStatus.Late
            : mismatch ? LivenessStatus.Mismatch
            : failing ? LivenessStatus.Failing
            : closed ? LivenessStatus.Dark
            : LivenessStatus.Ok;
        return new LivenessVerdict(status, silent, missed);
    }

    /// <summary>The verdict on what a <see cref="StateJournal"/> holds (dark judged only with a window limit): the verdict on its <see cref="DeviceSummary"/>.</summary>
    public static LivenessVerdict Of(StateJournalState state, long nowUnixMs, int lateAfterMissedWindows, long? windowLimitMs = null) =>
        Of(DeviceSummary.Of(state), nowUnixMs, lateAfterMissedWindows, windowLimitMs);

    /// <summary>The verdict on a device's summary (dark judged only with a window limit): what the HealthWatch and the listings judge.</summary>
    public static LivenessVerdict Of(DeviceSummary summary, long nowUnixMs, int lateAfterMissedWindows, long? windowLimitMs = null) =>
        Judge(summary.LastHeartbeatAtUnixMs, summary.CyclePeriodMs, nowUnixMs, lateAfterMissedWindows, summary.IsDiverged,
            windowLimitMs, summary.WindowClosedSinceHeartbeat, summary.RepeatedSessionFailure is not null,
            summary.IsCorrupt, summary.Mismatch is not null);

    /// <summary>What is wrong with the device beyond its status word, for listings: the corruption, the divergence or the digest mismatch; null when nothing is.</summary>
    public static string? ProblemOf(StateJournalState state) => ProblemOf(DeviceSummary.Of(state));

    /// <summary>What is wrong with the device beyond its status word, from its summary; null when nothing is.</summary>
    public static string? ProblemOf(DeviceSummary summary) =>
        summary.Corruption is { } fault ? $"journal corrupt: {fault}"
        : summary.Divergence is { } divergence ? divergence
        : summary.Mismatch is { } mismatch ? $"state digests differ: {mismatch}"
        : null;

    /// <summary>
    /// True when the window the last heartbeat opened is known to have closed: its answer started no
    /// session, or the session it started has been recorded (ended).
    /// </summary>
    public static bool WindowClosedSinceHeartbeat(WindowHistory history) =>
        history.LastAnswerStartedSession == false
        // A heartbeat adds a window (a retry stays in its own), so the newest answered window is the last heartbeat's.
        || history.Recent is [.., { HeartbeatAtUnixMs: not null, Session: not null }];
}
