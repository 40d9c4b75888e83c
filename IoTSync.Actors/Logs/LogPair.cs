using IoTSync.Model;

namespace IoTSync.Logs;

/// <summary>
/// What either side holds of one device's two logs: each log's position, the model over both,
/// the latest HLC seen, and where the entries sit in the journal. The entries themselves stay
/// in the journal; this stays small however long the logs grow.
/// </summary>
public sealed record LogPair(
    DeviceId Device,
    LogPosition DeviceLog,
    LogPosition MirrorLog,
    ApplicationState Model,
    HlcTimestamp LatestTimestamp,
    JournalIndex Index)
{
    public static LogPair Empty(DeviceId device) => new(
        device,
        LogPosition.Empty(device, Origin.Device),
        LogPosition.Empty(device, Origin.Mirror),
        ApplicationState.Empty,
        HlcTimestamp.Zero,
        JournalIndex.Empty);

    public LogPosition Position(Origin origin) => origin == Origin.Device ? DeviceLog : MirrorLog;

    public SyncView View => new(DeviceLog, MirrorLog, Model.Digest());

    /// <summary>Checks a batch of <paramref name="origin"/>'s log against what is held.</summary>
    public ChainCheck Check(Origin origin, IReadOnlyList<LogEntry> batch) =>
        ChainVerifier.CheckBatch(Device, origin, Position(origin), batch);

    /// <summary>Applies an entry already known to continue its log (checked, or written here).</summary>
    public LogPair Append(LogEntry entry, long journalSequenceNr)
    {
        var position = Position(entry.Origin);
        if (entry.Sequence != position.Length + 1 || entry.PreviousHash != position.Head)
            throw new InvalidOperationException(
                $"Device {Device}: entry {entry.Ref} does not continue the {entry.Origin} log at {position}.");
        var advanced = entry.Origin == Origin.Device
            ? this with { DeviceLog = position.After(entry) }
            : this with { MirrorLog = position.After(entry) };
        return advanced with
        {
            Model = Model.Apply(entry),
            LatestTimestamp = HlcTimestamp.Max(LatestTimestamp, entry.Timestamp),
            Index = Index.Record(entry, journalSequenceNr),
        };
    }
}
