using System.Collections.Immutable;

namespace IoTSync.Logs;

/// <summary>
/// Sparse map from log sequence numbers to journal sequence numbers, so an exchange can read a
/// range of one log from the actor's journal without scanning the other log's events. One
/// checkpoint per <see cref="Interval"/> entries per log keeps it a few hundred bytes at 100,000 entries.
/// </summary>
public sealed record JournalIndex(ImmutableArray<long> DeviceCheckpoints, ImmutableArray<long> MirrorCheckpoints)
{
    /// <summary>Fixed: changing it would misread the checkpoints of existing snapshots.</summary>
    public const int Interval = 1024;

    public static JournalIndex Empty { get; } = new([], []);

    public JournalIndex Record(LogEntry entry, long journalSequenceNr)
    {
        if ((entry.Sequence - 1) % Interval != 0)
            return this;
        var checkpoints = Of(entry.Origin);
        var slot = (int)((entry.Sequence - 1) / Interval);
        if (slot != checkpoints.Length)
            return this;
        return entry.Origin == Origin.Device
            ? this with { DeviceCheckpoints = checkpoints.Add(journalSequenceNr) }
            : this with { MirrorCheckpoints = checkpoints.Add(journalSequenceNr) };
    }

    /// <summary>A journal sequence number at or before the event that holds <paramref name="logSequence"/>.</summary>
    public long ReadFrom(Origin origin, long logSequence)
    {
        var checkpoints = Of(origin);
        var slot = (int)Math.Min((Math.Max(logSequence, 1) - 1) / Interval, checkpoints.Length - 1);
        return slot < 0 ? 1 : checkpoints[slot];
    }

    private ImmutableArray<long> Of(Origin origin) => origin == Origin.Device ? DeviceCheckpoints : MirrorCheckpoints;
}
