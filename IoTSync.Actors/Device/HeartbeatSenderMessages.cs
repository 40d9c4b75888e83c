using IoTSync.Protocol;

namespace IoTSync.Device;

/// <summary>What the <see cref="HeartbeatSender"/> is asked, and what it answers.</summary>
public static class HeartbeatSenderMessages
{
    /// <summary>
    /// The interface is up: call home, telling the mirror the device's cycle period and how the
    /// last window closed (null when none has closed yet). Answered with <see cref="MirrorAnswered"/>,
    /// <see cref="MirrorUnreachable"/> or <see cref="LocalJournalFault"/>.
    /// </summary>
    public sealed record SendHeartbeat(TimeSpan CyclePeriod, WindowReport? PreviousWindow);

    /// <summary>
    /// The mirror answered. <see cref="Attempts"/> counts heartbeats sent this window;
    /// <see cref="ClockOffsetMs"/> is mirror time minus device time, for devices without a time service.
    /// </summary>
    public sealed record MirrorAnswered(HeartbeatAck Ack, int Attempts, long ClockOffsetMs, TimeSpan RoundTrip);

    /// <summary>
    /// The mirror gave up the session its answer announced this window (<see cref="SessionAbandoned"/>,
    /// checked: this device, its key, this window's session): the window can close at once.
    /// </summary>
    public sealed record MirrorGaveUp(string SessionId, string Reason);

    /// <summary>
    /// The device's own journal could not give the view to send (its recorder is down after a failed write,
    /// <see cref="Logs.JournalSupervisor"/>): no heartbeat went out; the window ends, the next cycle tries again.
    /// </summary>
    public sealed record LocalJournalFault(string Fault);

    /// <summary>
    /// From the cycle once the window's interface is down: the sender looks whether any heartbeat of the
    /// window is still unanswered, and if so has the edge recycled before the next window.
    /// </summary>
    public sealed record WindowEnded
    {
        public static WindowEnded Instance { get; } = new();
    }

    /// <summary>No valid answer within the back-off's bound: the window ends, the next cycle tries again.</summary>
    public sealed record MirrorUnreachable(int Attempts, TimeSpan Waited);
}
