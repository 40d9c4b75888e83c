using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.Inspection;

/// <summary>Everything an audit of one persistent actor's journal found.</summary>
public sealed record ActorReport(
    NodeRole Role,
    DeviceId Device,
    string PersistenceId,
    long Events,
    long LastJournalSequenceNr,
    DateTimeOffset? FirstWrite,
    DateTimeOffset? LastWrite,
    long EventsWrittenSince,
    LogReport DeviceLog,
    LogReport MirrorLog,
    long? SnapshotSequenceNr,
    SnapshotCheck Snapshot,
    DivergenceDetected? Divergence,
    object? FinalState,
    IReadOnlyList<Finding> Findings)
{
    public bool Holds => Findings.Count == 0;

    public LogReport Log(Origin origin) => origin == Origin.Device ? DeviceLog : MirrorLog;

    /// <summary>The model's digest after replaying every event; null when the replay stopped at a fault.</summary>
    public Sha256Hash? StateDigest => FinalLogs?.Model.Digest();

    public LogPair? FinalLogs => FinalState switch
    {
        CommandRecorderState recorder => recorder.Logs,
        StateJournalState journal => journal.Logs,
        _ => null,
    };
}
