namespace IoTSync.Device;

/// <summary>What the <see cref="NetworkToggler"/> is told, and what it reports.</summary>
public static class NetworkTogglerMessages
{
    /// <summary>The mirror's sync session on this device ended (from the control socket): the window can close.</summary>
    public sealed record SessionEnded
    {
        public static SessionEnded Instance { get; } = new();
    }

    /// <summary>Reverse mode: the device's own session to the mirror host failed (from the <see cref="ReverseDialer"/>): the window can close.</summary>
    public sealed record ReverseSessionFailed(string Reason);

    /// <summary>The mirror's sync session reached this device (from the control socket): for the window's measurement.</summary>
    public sealed record SessionStarted
    {
        public static SessionStarted Instance { get; } = new();
    }

    /// <summary>
    /// One window, measured on the device's monotonic clock from interface up to interface down.
    /// <see cref="Outcome"/> says how it ended: nothing to sync, synced, mirror unreachable, window limit, ...
    /// The other times are from interface up too, null when the window never got there: the
    /// mirror's answer to the heartbeat, the mirror's session reaching the device's control socket
    /// (SSH connect, sshd and the forced command's start), the session's end (the exchange, with
    /// the commands it ran), and the decision to close (the rest is taking the interface down).
    /// </summary>
    public sealed record WindowClosed(int Number, TimeSpan Duration, TimeSpan UsableAfter, string Outcome,
        TimeSpan? AnsweredAfter = null, TimeSpan? SessionStartedAfter = null, TimeSpan? SessionEndedAfter = null, TimeSpan? ClosingAfter = null)
    {
        /// <summary>What the next heartbeat tells the mirror about this window, in whole milliseconds.</summary>
        public IoTSync.Protocol.WindowReport Report() =>
            new(Number, (long)Duration.TotalMilliseconds, (long)UsableAfter.TotalMilliseconds, Outcome);
    }

    /// <summary>Ask for the windows closed so far (answered with an array of <see cref="WindowClosed"/>).</summary>
    public sealed record GetWindows
    {
        public static GetWindows Instance { get; } = new();
    }

    /// <summary>Ask where the cycle stands (answered with <see cref="CycleStatus"/>).</summary>
    public sealed record GetCycleStatus
    {
        public static GetCycleStatus Instance { get; } = new();
    }

    /// <summary>
    /// The cycle now: <see cref="Phase"/> is dark, opening, calling or syncing; <see cref="Window"/>
    /// the number of the current or last window; <see cref="Recent"/> the last windows closed.
    /// </summary>
    public sealed record CycleStatus(string Phase, int Window, TimeSpan Period, System.Collections.Immutable.ImmutableArray<WindowClosed> Recent);
}
