using IoTSync.Model;

namespace IoTSync.Logs;

/// <summary>
/// Decides whether a batch continues a replica. Pure: the replica is only its length and head,
/// so a whole batch is judged by its internal chain plus the one link to the held head.
/// </summary>
public static class ChainVerifier
{
    public static ChainCheck CheckBatch(DeviceId device, Origin origin, LogPosition replica, IReadOnlyList<LogEntry> batch)
    {
        if (batch.Count == 0)
            return ChainCheck.Held();

        for (var i = 0; i < batch.Count; i++)
        {
            var entry = batch[i];
            if (entry.Origin != origin)
                return ChainCheck.Reject(Verdict.Malformed, entry.Sequence, $"entry of the {entry.Origin} log in the {origin} log");
            if (entry.ShapeError() is { } shape)
                return ChainCheck.Reject(Verdict.Malformed, entry.Sequence, shape);
            if (i > 0 && entry.Sequence != batch[i - 1].Sequence + 1)
                return ChainCheck.Reject(Verdict.Gap, batch[i - 1].Sequence + 1,
                    $"batch jumps from {batch[i - 1].Sequence} to {entry.Sequence}");
            if (!entry.HasValidHash)
                return ChainCheck.Reject(Verdict.BadHash, entry.Sequence, "hash does not match the entry's content");
            if (i > 0 && entry.PreviousHash != batch[i - 1].Hash)
                return ChainCheck.Reject(Verdict.BadLink, entry.Sequence, "previous-hash does not match the entry before it");
        }

        var first = batch[0].Sequence;
        var last = batch[^1].Sequence;
        var expected = replica.Length + 1;
        if (first > expected)
            return ChainCheck.Reject(Verdict.Gap, expected, $"replica holds {replica.Length}, batch starts at {first}");

        if (first == expected)
        {
            if (batch[0].PreviousHash == replica.Head)
                return ChainCheck.Append(batch);
            // Entry 1 links to the genesis hash, which names the device: a mismatch there is another device's log.
            return first == 1
                ? ChainCheck.Reject(Verdict.BadHash, first, $"entry 1 is not chained to device {device}'s {origin} log")
                : ChainCheck.Reject(Verdict.BadLink, first, "does not link to the replica's head");
        }

        if (last < replica.Length)
            return ChainCheck.Held();

        // The batch overlaps the replica: it must pass through the replica's head unchanged.
        var atHead = batch[(int)(replica.Length - first)];
        if (atHead.Hash != replica.Head)
            return ChainCheck.Reject(Verdict.Fork, replica.Length, "differs from the entry the replica holds at this sequence");
        var fresh = batch.Skip((int)(replica.Length - first + 1)).ToArray();
        return fresh.Length == 0 ? ChainCheck.Held() : ChainCheck.Append(fresh);
    }

    /// <summary>
    /// Checks what the other side says of its own log (in a heartbeat or hello) against the replica.
    /// A log never shrinks and never changes under the same length.
    /// </summary>
    public static ChainCheck CheckClaim(LogPosition replica, LogPosition claimed)
    {
        if (claimed.Length < replica.Length)
            return ChainCheck.Reject(Verdict.LogShrank, claimed.Length,
                $"reports {claimed.Length} entries, replica already holds {replica.Length}");
        if (claimed.Length == replica.Length && claimed.Head != replica.Head)
            return ChainCheck.Reject(Verdict.Fork, claimed.Length, "same length as the replica but another head");
        return claimed.Length == replica.Length ? ChainCheck.Held() : ChainCheck.Append([]);
    }
}
