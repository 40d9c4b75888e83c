using IoTSync.Logs;
using IoTSync.Model;

namespace IoTSync.Sync;

/// <summary>
/// Checks what the other side says it holds of OUR log: it must be a prefix of what we wrote.
/// Anything else means one of the two logs was rewritten: a fork.
/// </summary>
public static class PrefixCheck
{
    public delegate Task<IReadOnlyList<LogEntry>> RangeReader(long fromSequence, int maxEntries, CancellationToken cancellationToken);

    public static async Task<ChainCheck> OfOwnLog(DeviceId device, Origin origin, LogPosition ours, LogPosition theirs,
        RangeReader readOwnLog, CancellationToken cancellationToken)
    {
        var peer = origin == Origin.Device ? "mirror" : "device";
        if (theirs.Length > ours.Length)
            return ChainCheck.Reject(Verdict.Fork, ours.Length + 1,
                $"{peer} holds {theirs.Length} {origin} entries, only {ours.Length} were written");
        if (theirs.Length == ours.Length)
            return theirs.Head == ours.Head
                ? ChainCheck.Held()
                : ChainCheck.Reject(Verdict.Fork, theirs.Length, $"{peer} holds another {origin} head");
        if (theirs.Length == 0)
            return theirs.Head == LogPosition.Empty(device, origin).Head
                ? ChainCheck.Append([])
                : ChainCheck.Reject(Verdict.Fork, 0, $"{peer}'s empty {origin} log has another genesis");
        var held = await readOwnLog(theirs.Length, 1, cancellationToken);
        return held.Count == 1 && held[0].Hash == theirs.Head
            ? ChainCheck.Append([])
            : ChainCheck.Reject(Verdict.Fork, theirs.Length, $"{peer} holds another {origin} entry at this sequence");
    }
}
