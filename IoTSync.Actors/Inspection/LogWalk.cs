using IoTSync.Logs;
using IoTSync.Model;

namespace IoTSync.Inspection;

/// <summary>
/// Walks one log entry by entry from its genesis and checks each step: the right log, a shape a
/// writer may produce, the next sequence number, a hash that matches the entry's canonical
/// encoding, and a link to the previous entry's hash. Stops at the first fault, which it keeps.
/// </summary>
public sealed class LogWalk(DeviceId device, Origin origin)
{
    /// <summary>How far the log checks out.</summary>
    public LogPosition Verified { get; private set; } = LogPosition.Empty(device, origin);

    /// <summary>The last entry seen, checked or not (what a listing shows).</summary>
    public LogPosition Seen { get; private set; } = LogPosition.Empty(device, origin);

    public KindCounts Kinds { get; private set; } = KindCounts.None;

    public Origin Origin => origin;

    /// <summary>The first fault, once found; the walk checks nothing after it.</summary>
    public Finding? Fault { get; private set; }

    public bool IsBroken => Fault is not null;

    /// <summary>Checks the next entry of this log. Returns the fault it finds (once), or null.</summary>
    public Finding? Step(LogEntry entry, long? journalSequenceNr = null)
    {
        Seen = new LogPosition(entry.Sequence, entry.Hash);
        Kinds = Kinds.Count(entry.Kind);
        if (IsBroken)
            return null;
        var reason = Judge(entry);
        if (reason is null)
        {
            Verified = Verified.After(entry);
            return null;
        }
        var sequence = entry.Sequence > Verified.Length ? Verified.Length + 1 : entry.Sequence;
        Fault = Finding.InLog(device, origin, sequence, journalSequenceNr, reason);
        return Fault;
    }

    /// <summary>Marks the log broken at <paramref name="sequence"/> for a reason found elsewhere (an entry that does not decode).</summary>
    public Finding Break(long sequence, long? journalSequenceNr, string reason)
    {
        Fault ??= Finding.InLog(device, origin, sequence, journalSequenceNr, reason);
        return Fault;
    }

    private string? Judge(LogEntry entry)
    {
        var check = ChainVerifier.CheckBatch(device, origin, Verified, [entry]);
        var expected = Verified.Length + 1;
        return check.Verdict switch
        {
            Verdict.Appendable => null,
            Verdict.Gap => $"entry {expected} is missing: entry {entry.Sequence} comes where entry {expected} belongs",
            Verdict.AlreadyHeld or Verdict.Fork =>
                $"entry {entry.Sequence} comes again after entry {Verified.Length} (events out of order or duplicated)",
            Verdict.BadHash when entry.HasValidHash =>
                $"entry 1 is not chained to the genesis of device {device}'s {origin.LogName()} (an entry of another log)",
            Verdict.BadHash => "hash does not match the entry's content",
            Verdict.BadLink => $"previous-hash does not match the hash of entry {Verified.Length}",
            Verdict.Malformed => $"malformed entry: {check.Detail}",
            _ => check.ToString(),
        };
    }
}
