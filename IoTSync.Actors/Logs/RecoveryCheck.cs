namespace IoTSync.Logs;

/// <summary>
/// What a log holder checks while it recovers, so that a journal edited on disk is not served as
/// if it were whole. Pure. Only what recovery reads anyway is checked — the snapshot and the events
/// after it — so a recovery of 100,000 entries stays well under a second; <c>journal verify</c>
/// checks the whole journal offline.
/// </summary>
public static class RecoveryCheck
{
    /// <summary>
    /// A snapshot against what it can be held to without reading the journal: its place in the
    /// journal (every entry is one event, so both logs together hold no more entries than the events
    /// up to the snapshot), its journal index (one checkpoint per <see cref="JournalIndex.Interval"/>
    /// entries of each log, rising, none beyond the snapshot) and the head of an empty log (the
    /// genesis hash). Its heads are held to the journal by <see cref="Entry"/>: the first entry of each
    /// log recovered after it must link to them.
    /// </summary>
    public static ChainCheck Snapshot(LogPair logs, long snapshotSequenceNr)
    {
        foreach (var origin in new[] { Origin.Device, Origin.Mirror })
        {
            var position = logs.Position(origin);
            if (position.Length < 0)
                return ChainCheck.Reject(Verdict.Malformed, 0, $"the {Name(origin)} log's length is {position.Length}");
            if (position.Length == 0 && position.Head != LogPosition.Empty(logs.Device, origin).Head)
                return ChainCheck.Reject(Verdict.BadHash, 0, $"the {Name(origin)} log is empty but its head is not device {logs.Device}'s genesis hash");
            var checkpoints = origin == Origin.Device ? logs.Index.DeviceCheckpoints : logs.Index.MirrorCheckpoints;
            var expected = (position.Length + JournalIndex.Interval - 1) / JournalIndex.Interval;
            if (checkpoints.Length != expected)
                return ChainCheck.Reject(Verdict.Malformed, 0, $"{checkpoints.Length} journal checkpoints for the {Name(origin)} log's {position.Length} entries, not {expected}");
            for (var i = 0; i < checkpoints.Length; i++)
            {
                if (checkpoints[i] < 1 || checkpoints[i] > snapshotSequenceNr || (i > 0 && checkpoints[i] <= checkpoints[i - 1]))
                    return ChainCheck.Reject(Verdict.Malformed, 0, $"the {Name(origin)} log's journal checkpoint {i} is event {checkpoints[i]}, out of place");
            }
        }
        var entries = logs.DeviceLog.Length + logs.MirrorLog.Length;
        return entries > snapshotSequenceNr
            ? ChainCheck.Reject(Verdict.Malformed, 0, $"it holds {entries} entries, more than the {snapshotSequenceNr} events up to it")
            : ChainCheck.Held();
    }

    /// <summary>
    /// An entry replayed from the journal: it must hash to its stored hash and continue its log
    /// exactly (the first after a snapshot linking to the snapshot's head). Anything else — a gap, an
    /// entry again, one that links elsewhere — is a rejection naming the entry.
    /// </summary>
    public static ChainCheck Entry(LogPair held, LogEntry entry)
    {
        var check = held.Check(entry.Origin, [entry]);
        return check.Verdict == Verdict.AlreadyHeld
            ? ChainCheck.Reject(Verdict.Fork, entry.Sequence, $"entry {entry.Sequence} comes again after entry {held.Position(entry.Origin).Length}")
            : check;
    }

    private static string Name(Origin origin) => origin == Origin.Device ? "device" : "mirror";
}
