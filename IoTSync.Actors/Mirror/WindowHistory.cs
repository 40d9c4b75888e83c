using System.Collections.Immutable;
using IoTSync.Protocol;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.Mirror;

/// <summary>
/// What a <see cref="StateJournal"/> keeps of its device's windows: what the fleet listing needs
/// (last heartbeat, cycle period, last device report, last session, how many windows) and the most
/// recent <see cref="Capacity"/> windows. Pure; built only by <c>Apply</c>.
/// </summary>
/// <remarks>
/// The full history stays in the journal as <see cref="HeartbeatRecorded"/> and
/// <see cref="SessionRecorded"/> events. Recent windows are kept here, in a bounded ring, rather
/// than read back through Persistence.Query as log ranges are: window events are scattered among
/// the log entries and no index finds them, so the last N windows would mean scanning the journal
/// back from an unknown point (all of it, for a device that syncs rarely). 256 small records cost
/// tens of KiB in a snapshot, and the answer needs no read at all.
/// </remarks>
public sealed record WindowHistory(
    long? LastHeartbeatAtUnixMs,
    long CyclePeriodMs,
    WindowReport? LastDeviceWindow,
    SessionRecorded? LastSession,
    long WindowCount,
    ImmutableArray<WindowRecord> Recent,
    Logs.SyncView? LastAgreed = null,
    bool? LastAnswerStartedSession = null)
{
    public const int Capacity = 256;

    public static WindowHistory Empty { get; } = new(null, 0, null, null, 0, []);

    /// <summary>
    /// A heartbeat opens window <c>PreviousWindow.Number + 1</c> (1 when the device reports none: the
    /// device node counts its windows from 1 when it starts), and its report completes the window
    /// it describes — the newest one, when the mirror saw it, or else a window of its own (its
    /// heartbeat did not get through). Another heartbeat for the same number within one cycle
    /// period is a retry in the same window (its first answer was lost), not a new window.
    /// </summary>
    public WindowHistory Apply(HeartbeatRecorded heartbeat)
    {
        var number = heartbeat.PreviousWindow is { } previous ? previous.Number + 1 : 1;
        var next = this with
        {
            LastHeartbeatAtUnixMs = heartbeat.ReceivedAtUnixMs,
            CyclePeriodMs = heartbeat.CyclePeriodMs,
            LastDeviceWindow = heartbeat.PreviousWindow ?? LastDeviceWindow,
            LastAnswerStartedSession = heartbeat.SessionId is { } session ? session.Length > 0 : null,
        };
        if (Recent is [.., { HeartbeatAtUnixMs: { } openedAt } newest] && newest.Number == number &&
            heartbeat.ReceivedAtUnixMs - openedAt < heartbeat.CyclePeriodMs)
            return next;
        if (heartbeat.PreviousWindow is { } report)
            next = next.Completed(report);
        return next.Added(new WindowRecord(number, heartbeat.ReceivedAtUnixMs, null, null));
    }

    /// <summary>A session belongs to the newest window the mirror answered, unless that one has its session already.</summary>
    public WindowHistory Apply(SessionRecorded session)
    {
        var next = this with { LastSession = session, LastAgreed = session.Agreed ?? LastAgreed };
        return Recent is [.., { HeartbeatAtUnixMs: not null, Session: null } newest]
            ? next with { Recent = Recent.SetItem(Recent.Length - 1, newest with { Session = session }) }
            : next.Added(new WindowRecord(null, null, null, session));
    }

    /// <summary>
    /// The newest session's error when the session before it failed the same way (the same kind of
    /// error: the text before its first colon), or null. A device whose every session fails alike
    /// (a batch too large for a frame, a key that no longer works) is stuck, not unlucky.
    /// </summary>
    public string? RepeatedSessionFailure
    {
        get
        {
            var sessions = Recent.Select(w => w.Session).OfType<SessionRecorded>().TakeLast(2).ToList();
            return sessions is [{ Error: { } before }, { Error: { } newest }] && KindOf(before) == KindOf(newest) ? newest : null;

            static string KindOf(string error) => error.Split(':', 2)[0];
        }
    }

    /// <summary>The newest <paramref name="last"/> windows held, oldest first.</summary>
    public ImmutableArray<WindowRecord> Last(int last) =>
        last <= 0 ? [] : last >= Recent.Length ? Recent : Recent[^last..];

    private WindowHistory Completed(WindowReport report) =>
        Recent is [.., { Device: null, HeartbeatAtUnixMs: not null } newest] && newest.Number == report.Number
            ? this with { Recent = Recent.SetItem(Recent.Length - 1, newest with { Device = report }) }
            : Added(new WindowRecord(report.Number, null, report, null));

    private WindowHistory Added(WindowRecord window)
    {
        var recent = Recent.Length < Capacity ? Recent : Recent.RemoveAt(0);
        return this with { Recent = recent.Add(window), WindowCount = WindowCount + 1 };
    }
}
