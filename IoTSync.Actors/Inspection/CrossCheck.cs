using IoTSync.Logs;

namespace IoTSync.Inspection;

/// <summary>
/// Compares the device's copy of a device's logs with the mirror's. A chain rewritten whole —
/// one entry changed and every later hash recomputed — passes every check a single copy allows,
/// but not this one: each log has one writer, and the other side's replica holds what the writer
/// sent it. So every entry the replica holds must be the writer's entry at that sequence
/// (the replica's length and head are what its holder confirmed at its last sync), the replica
/// can never be longer than the writer's log, and the device must hold the mirror log at least
/// as far as the mirror recorded it confirmed.
/// </summary>
public static class CrossCheck
{
    public static IReadOnlyList<Finding> Compare(SideCopy one, SideCopy other)
    {
        if (one.Role == other.Role)
            throw new InspectionException($"{one.Source} and {other.Source} are both {one.Role.Name()} copies: compare a device's copy with the mirror's");
        if (one.Device != other.Device)
            throw new InspectionException($"{one.Source} is of device {one.Device}, {other.Source} of device {other.Device}");

        var device = one.Role == NodeRole.Device ? one : other;
        var mirror = one.Role == NodeRole.Mirror ? one : other;
        var findings = new List<Finding>();
        foreach (var origin in new[] { Origin.Device, Origin.Mirror })
        {
            var (writer, replica) = origin == Origin.Device ? (device, mirror) : (mirror, device);
            if (CompareLog(origin, writer, replica) is { } finding)
                findings.Add(finding);
        }
        if (mirror.AgreedAtLastSync is { } agreed)
            foreach (var copy in new[] { device, mirror })
                foreach (var origin in new[] { Origin.Device, Origin.Mirror })
                    if (AgainstAgreed(copy, origin, origin == Origin.Device ? agreed.DeviceLog : agreed.MirrorLog, mirror.Source) is { } finding
                        && !findings.Any(f => f.Place == finding.Place && f.Sequence == finding.Sequence))
                        findings.Add(finding);
        if (mirror.DeliveredThrough is { } confirmed && device.MirrorLog.Count < confirmed)
            findings.Add(Finding.InLog(device.Device, Origin.Mirror, device.MirrorLog.Count + 1, null,
                $"the mirror recorded that the device confirmed holding the mirror log through entry {confirmed}, but the device's copy ({device.Source}) ends at entry {device.MirrorLog.Count}"));
        return findings;
    }

    /// <summary>
    /// Both sides confirmed this head at their last sync: a copy shorter than it, or with another
    /// entry at that sequence, was cut back or rewritten since — whatever the other copy holds now.
    /// </summary>
    private static Finding? AgainstAgreed(SideCopy copy, Origin origin, LogPosition agreed, string recordedIn)
    {
        if (agreed.Length == 0)
            return null;
        var log = copy.Log(origin);
        if (log.Count < agreed.Length)
            return Finding.InLog(copy.Device, origin, log.Count + 1, null,
                $"both sides confirmed this log at {agreed} at their last sync (recorded in {recordedIn}), but the {copy.Role.Name()}'s copy ({copy.Source}) ends at entry {log.Count}");
        var held = log[(int)agreed.Length - 1];
        return held.Hash == agreed.Head
            ? null
            : Finding.InLog(copy.Device, origin, agreed.Length, null,
                $"both sides confirmed this log at {agreed} at their last sync (recorded in {recordedIn}), but the {copy.Role.Name()}'s copy ({copy.Source}) has {held.Hash.Short} there: rewritten since");
    }

    private static Finding? CompareLog(Origin origin, SideCopy writer, SideCopy replica)
    {
        var (writerLog, replicaLog) = (writer.Log(origin), replica.Log(origin));
        var common = Math.Min(writerLog.Count, replicaLog.Count);
        for (var i = 0; i < common; i++)
        {
            if (writerLog[i].Hash == replicaLog[i].Hash && writerLog[i].Sequence == replicaLog[i].Sequence)
                continue;
            var sequence = i + 1;
            var held = new LogPosition(replicaLog.Count, replicaLog[^1].Hash);
            return Finding.InLog(writer.Device, origin, sequence, null,
                $"the {writer.Role.Name()}'s copy ({writer.Source}) differs from the {replica.Role.Name()}'s ({replica.Source}): " +
                $"hash {writerLog[i].Hash.Short} against {replicaLog[i].Hash.Short}; the {replica.Role.Name()} confirmed this log at {held} at its last sync, " +
                $"so the {writer.Role.Name()}'s log was rewritten from entry {sequence} on");
        }
        if (replicaLog.Count > writerLog.Count)
            return Finding.InLog(writer.Device, origin, writerLog.Count + 1, null,
                $"the {replica.Role.Name()} ({replica.Source}) holds {replicaLog.Count} entries of this log, its writer the {writer.Role.Name()} ({writer.Source}) only {writerLog.Count}: the log shrank");
        return null;
    }
}
