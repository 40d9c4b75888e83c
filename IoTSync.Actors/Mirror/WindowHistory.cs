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
/// Recent windows are kept here rather than read back from the journal: the
/// <see cref="WindowHistoryJournal"/> that records them keeps only what its
/// <see cref="WindowRetention"/> allows (<see cref="Trimmed"/>) and deletes its events once a
/// snapshot holds them. A <see cref="StateJournal"/> written before window history had its own
/// journal holds a ring of the last <see cref="Capacity"/> windows, built from the
/// <see cref="HeartbeatRecorded"/> and <see cref="SessionRecorded"/> events among its log entries.
/// </remarks>
public sealed record WindowHistory(
    long? LastHeartbeatAtUnixMs,
    long CyclePeriodMs,
    WindowReport? LastDeviceWindow,
    SessionRecorded? LastSession,
    long WindowCount,
    ImmutableArray<WindowRecord> Recent,
    Logs.SyncView? LastAgreed = null,
    bool? LastAnswerStartedSession = null,
    string? Mismatch = null) : Serialization.IIoTSyncMessage
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
    public WindowHistory Apply(HeartbeatRecorded heartbeat, int capacity = Capacity)
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
            next = next.Completed(report, capacity);
        return next.Added(new WindowRecord(number, heartbeat.ReceivedAtUnixMs, null, null), capacity);
    }

    /// <summary>A session belongs to the newest window the mirror answered, unless that one has its session already.</summary>
    public WindowHistory Apply(SessionRecorded session, int capacity = Capacity)
    {
        var next = this with { LastSession = session, LastAgreed = session.Agreed ?? LastAgreed, Mismatch = MismatchAfter(session) };
        return Recent is [.., { HeartbeatAtUnixMs: not null, Session: null } newest]
            ? next with { Recent = Recent.SetItem(Recent.Length - 1, newest with { Session = session }) }
            : next.Added(new WindowRecord(null, null, null, session), capacity);
    }

    /// <summary>
    /// A window event as the <see cref="WindowHistoryJournal"/> applies it: folded in with no ring
    /// bound, then trimmed to <paramref name="retention"/> at the event's own time (so a replay
    /// trims exactly as the first run did).
    /// </summary>
    public WindowHistory Apply(object @event, WindowRetention retention) => @event switch
    {
        HeartbeatRecorded heartbeat => Apply(heartbeat, int.MaxValue).Trimmed(retention, heartbeat.ReceivedAtUnixMs),
        SessionRecorded session => Apply(session, int.MaxValue).Trimmed(retention, session.EndedAtUnixMs),
        _ => this,
    };

    /// <summary>The windows <paramref name="retention"/> keeps at <paramref name="nowUnixMs"/>; the counts and the last of everything stay.</summary>
    public WindowHistory Trimmed(WindowRetention retention, long nowUnixMs)
    {
        var drop = retention.DropCount(Recent, nowUnixMs);
        return drop <= 0 ? this : this with { Recent = Recent[drop..] };
    }

    /// <summary>
    /// The newest session's error when the session before it failed the same way (the same kind of
    /// error: the text before its first colon), or null; null too once a later heartbeat was answered with
    /// nothing to sync. A device whose every session fails alike (a batch too large for a frame, a key that
    /// no longer works) is stuck, not unlucky.
    /// </summary>
    public string? RepeatedSessionFailure
    {
        get
        {
            // A heartbeat answered since with nothing to sync shows both sides holding both logs: what failed is behind them.
            if (LastAnswerStartedSession == false)
                return null;
            var sessions = Recent.Select(w => w.Session).OfType<SessionRecorded>().TakeLast(2).ToList();
            return sessions is [{ Error: { } before }, { Error: { } newest }] && KindOf(before) == KindOf(newest) ? newest : null;

            static string KindOf(string error) => error.Split(':', 2)[0];
        }
    }

    /// <summary>
    /// Why the last exchange in which both sides held the same two logs found their state digests
    /// differing; null when none did, or a later one agreed (<see cref="SessionRecorded.Agreed"/>).
    /// Kept here, beside the sessions it comes from, so it survives a restart with the window history.
    /// </summary>
    private string? MismatchAfter(SessionRecorded session) =>
        session.Outcome == nameof(Sync.ExchangeOutcome.DigestMismatch) ? session.Error ?? "the state digests differ"
        : session.Agreed is not null ? null
        : Mismatch;

    /// <summary>The newest <paramref name="last"/> windows held, oldest first.</summary>
    public ImmutableArray<WindowRecord> Last(int last) =>
        last <= 0 ? [] : last >= Recent.Length ? Recent : Recent[^last..];

    private WindowHistory Completed(WindowReport report, int capacity) =>
        Recent is [.., { Device: null, HeartbeatAtUnixMs: not null } newest] && newest.Number == report.Number
            ? this with { Recent = Recent.SetItem(Recent.Length - 1, newest with { Device = report }) }
            : Added(new WindowRecord(report.Number, null, report, null), capacity);

    private WindowHistory Added(WindowRecord window, int capacity)
    {
        var recent = Recent.Length < capacity ? Recent : Recent.RemoveAt(0);
        return this with { Recent = recent.Add(window), WindowCount = WindowCount + 1 };
    }
}
