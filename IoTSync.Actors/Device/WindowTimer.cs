using IoTSync.Protocol;
using static IoTSync.Device.NetworkTogglerMessages;

namespace IoTSync.Device;

/// <summary>
/// The device's current window as the <see cref="NetworkToggler"/> measures it: its number and,
/// from interface up, when the interface became usable, the mirror answered, the mirror's session
/// reached the device and ended. Pure: the actor reads its stopwatch and hands the offsets in;
/// what closes a window (<see cref="OutcomeOf"/> and the outcome texts) and the record of a closed
/// window (<see cref="Closed"/>) are decided here.
/// </summary>
public sealed record WindowTimer(int Number, TimeSpan UsableAfter, TimeSpan? AnsweredAfter, TimeSpan? SessionStartedAfter, TimeSpan? SessionEndedAfter)
{
    public const string Synced = "synced";
    public const string NothingToSync = "nothing to sync";
    public const string NeverUsable = "interface never became usable";
    public const string LimitWhileComingUp = "window limit reached while coming up";
    public const string LimitWaitingForMirror = "window limit reached waiting for the mirror";
    public const string LimitDuringSession = "window limit reached during the session";

    /// <summary>Before the first window.</summary>
    public static WindowTimer BeforeFirst { get; } = new(0, TimeSpan.Zero, null, null, null);

    /// <summary>
    /// The next window begins with nothing measured. <see cref="UsableAfter"/> keeps the last figure
    /// until the new one is usable: a window closed while coming up reports it, as it always has.
    /// </summary>
    public WindowTimer Next() => new(Number + 1, UsableAfter, null, null, null);

    public WindowTimer Usable(TimeSpan after) => this with { UsableAfter = after };

    /// <summary>The first answer counts; a later one (after the session arrived first) changes nothing.</summary>
    public WindowTimer Answered(TimeSpan after) => this with { AnsweredAfter = AnsweredAfter ?? after };

    /// <summary>The first arrival counts.</summary>
    public WindowTimer SessionStarted(TimeSpan after) => this with { SessionStartedAfter = SessionStartedAfter ?? after };

    public WindowTimer SessionEnded(TimeSpan after) => this with { SessionEndedAfter = after };

    /// <summary>A window-limit timer started for <paramref name="window"/> closes only that window, not a later one.</summary>
    public bool IsCurrent(int window) => window == Number;

    /// <summary>
    /// What the mirror's answer means for the window: null keeps it open for the session, otherwise
    /// the outcome it closes with.
    /// </summary>
    public static string? OutcomeOf(HeartbeatAck ack) => ack.Action switch
    {
        HeartbeatAction.Sync => null,
        HeartbeatAction.None => NothingToSync,
        _ => $"mirror refused: {ack.Reason}",
    };

    public static string CouldNotComeUp(string reason) => $"interface could not come up: {reason}";

    /// <summary>The mirror told the device it gave up the window's session (it could not open it, or it failed).</summary>
    public static string MirrorGaveUp(string reason) => $"mirror gave up the session: {reason}";

    /// <summary>Reverse mode: the device's own session to the mirror host failed.</summary>
    public static string ReverseSessionFailed(string reason) => $"reverse session failed: {reason}";

    public static string Unreachable(int attempts) => $"mirror unreachable after {attempts} heartbeat(s)";

    /// <summary>The device's own journal is down (a failed write, restarting): no heartbeat was sent.</summary>
    public static string LocalJournalFault(string fault) => $"local journal fault: {fault}";

    /// <summary>
    /// The record of this window once the interface is down: <paramref name="duration"/> from up to
    /// down, <paramref name="closingAfter"/> when the decision to close was taken.
    /// </summary>
    public WindowClosed Closed(string outcome, TimeSpan closingAfter, TimeSpan duration) =>
        new(Number, duration, UsableAfter, outcome, AnsweredAfter, SessionStartedAfter, SessionEndedAfter, closingAfter);
}
