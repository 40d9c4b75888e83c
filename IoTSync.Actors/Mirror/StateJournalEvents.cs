using IoTSync.Logs;
using IoTSync.Protocol;
using IoTSync.Serialization;

namespace IoTSync.Mirror;

/// <summary>Journal events of the <see cref="StateJournal"/> besides <see cref="EntryAppended"/>.</summary>
public static class StateJournalEvents
{
    /// <summary>The device confirmed it holds the mirror log up to this length (commands up to it are delivered).</summary>
    public sealed record DeliveryConfirmed(long MirrorLogLength) : IIoTSyncMessage;

    /// <summary>The device's log or its view of ours contradicts what the mirror holds; syncing stops for it.</summary>
    public sealed record DivergenceDetected(Origin Log, Verdict Verdict, long Sequence, string Detail, long AtUnixMs) : IIoTSyncMessage
    {
        public string Describe() => $"diverged in the {Log} log: {Verdict} at {Sequence}: {Detail}";
    }

    /// <summary>
    /// The device called home: an authenticated, fresh heartbeat answered at
    /// <see cref="ReceivedAtUnixMs"/> (mirror time), with the device's cycle period and its report
    /// of the previous window. Window history, not part of either hash chain.
    /// <see cref="SessionId"/> is the session the answer started, empty when it started none (the
    /// device then closes its window at once), null in events recorded before it was kept.
    /// </summary>
    public sealed record HeartbeatRecorded(long ReceivedAtUnixMs, long CyclePeriodMs, WindowReport? PreviousWindow, string? SessionId = null) : IIoTSyncMessage;

    /// <summary>
    /// A sync session the mirror ran for the device, successful or not, in mirror time; the
    /// duration is measured on the mirror's monotonic clock. <see cref="Outcome"/> is the exchange's
    /// outcome by name (<c>Converged</c>, <c>RefusedByDevice</c>, ...) or <c>Failed</c> when the
    /// session broke off (then <see cref="Error"/> says why); stored as text so the journal does not
    /// depend on the enum's numbering. <see cref="StateDigest"/> is the mirror's at the end, when the
    /// exchange got that far. <see cref="Agreed"/> is set when the session converged with both
    /// sides holding the same two logs: the heads both confirmed, which <c>journal verify --against</c>
    /// holds each copy to. Window history, not part of either hash chain.
    /// </summary>
    public sealed record SessionRecorded(
        string SessionId,
        long StartedAtUnixMs,
        long EndedAtUnixMs,
        long DurationMs,
        int EntriesPushed,
        int EntriesPulled,
        Sha256Hash? StateDigest,
        string Outcome,
        string? Error,
        SyncView? Agreed = null) : IIoTSyncMessage
    {
        public const string Failed = "Failed";
    }
}
