using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Serialization;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.Inspection;

/// <summary>
/// Audits one persistent actor's journal as it streams past, event by event: journal sequence
/// continuity, each log's chain (<see cref="LogWalk"/>), every payload decoding, and a replay
/// through the actor's own <c>Apply</c> compared with its latest snapshot. Pure: the events and
/// the snapshot are handed in. Nothing after the first fault is replayed, since the state from
/// there on is not the actor's.
/// </summary>
public sealed class ActorAudit
{
    /// <summary>The codec's manifest of <see cref="EntryAppended"/>; manifests are never renamed.</summary>
    private const string EntryAppendedManifest = "entry-appended";

    private readonly NodeRole _role;
    private readonly DeviceId _device;
    private readonly string _persistenceId;
    private readonly StoredSnapshot? _snapshot;
    private readonly long _countSinceTicks;
    private readonly ActorReplay _replay;
    private readonly LogWalk _deviceWalk;
    private readonly LogWalk _mirrorWalk;
    private readonly List<LogEntry>? _deviceEntries;
    private readonly List<LogEntry>? _mirrorEntries;
    private readonly List<Finding> _findings = [];
    private long _events;
    private long _lastJournalSequenceNr;
    private long _firstWriteTicks;
    private long _lastWriteTicks;
    private long _writtenSince;
    private bool _replayStopped;
    private object? _stateAtSnapshot;
    private DivergenceDetected? _divergence;

    /// <summary>
    /// An audit of <paramref name="device"/>'s actor on a <paramref name="role"/> node, against its
    /// latest <paramref name="snapshot"/> (null when none). <paramref name="keepEntries"/> keeps every
    /// entry of both logs (for an export or a comparison); <paramref name="countSince"/> counts the
    /// events written at or after that time (for stats).
    /// </summary>
    public ActorAudit(NodeRole role, DeviceId device, StoredSnapshot? snapshot, bool keepEntries = false, DateTimeOffset? countSince = null)
    {
        _role = role;
        _device = device;
        _persistenceId = role.PersistenceId(device);
        _snapshot = snapshot;
        _countSinceTicks = countSince?.UtcTicks ?? long.MaxValue;
        _replay = ActorReplay.For(role, device);
        _deviceWalk = new LogWalk(device, Origin.Device);
        _mirrorWalk = new LogWalk(device, Origin.Mirror);
        if (keepEntries)
            (_deviceEntries, _mirrorEntries) = ([], []);
    }

    /// <summary>Events fed so far.</summary>
    public long Events => _events;

    public IReadOnlyList<Finding> Findings => _findings;

    public void Feed(StoredEvent stored)
    {
        _events++;
        var sequenceNr = stored.JournalSequenceNr;
        if (stored.WrittenAtUtcTicks > 0)
        {
            _firstWriteTicks = _firstWriteTicks == 0 ? stored.WrittenAtUtcTicks : Math.Min(_firstWriteTicks, stored.WrittenAtUtcTicks);
            _lastWriteTicks = Math.Max(_lastWriteTicks, stored.WrittenAtUtcTicks);
            if (stored.WrittenAtUtcTicks >= _countSinceTicks)
                _writtenSince++;
        }

        if (sequenceNr > _lastJournalSequenceNr + 1)
        {
            var missingFrom = _lastJournalSequenceNr + 1;
            var what = sequenceNr - 1 == missingFrom ? $"event {missingFrom} is" : $"events {missingFrom}..{sequenceNr - 1} are";
            Fail(new Finding(_device, FindingPlace.Journal, missingFrom, null,
                $"{what} missing: the journal goes from event {_lastJournalSequenceNr} to event {sequenceNr}"));
        }
        _lastJournalSequenceNr = Math.Max(_lastJournalSequenceNr, sequenceNr);

        switch (stored.Event)
        {
            case UndecodablePayload bad:
                Undecodable(bad, sequenceNr);
                break;
            case EntryAppended { Entry: var entry }:
                (entry.Origin == Origin.Device ? _deviceEntries : _mirrorEntries)?.Add(entry);
                var walk = entry.Origin == Origin.Device ? _deviceWalk : _mirrorWalk;
                if (walk.Step(entry, sequenceNr) is { } fault)
                    Fail(fault);
                else if (walk.IsBroken)
                    _replayStopped = true;
                else
                    Replay(stored.Event, sequenceNr);
                break;
            case var other when _replay.Accepts(other):
                if (other is DivergenceDetected diverged)
                    _divergence = diverged;
                Replay(other, sequenceNr);
                break;
            case var other:
                Fail(new Finding(_device, FindingPlace.Journal, sequenceNr, null,
                    $"a '{ManifestOf(other)}' event does not belong in a {_role.ActorName()} journal"));
                break;
        }

        if (_snapshot is not null && sequenceNr == _snapshot.JournalSequenceNr && !_replayStopped)
            _stateAtSnapshot = _replay.State;
    }

    public ActorReport Complete()
    {
        var snapshotCheck = CheckSnapshot();
        return new ActorReport(
            _role, _device, _persistenceId, _events, _lastJournalSequenceNr,
            _firstWriteTicks == 0 ? null : new DateTimeOffset(_firstWriteTicks, TimeSpan.Zero),
            _lastWriteTicks == 0 ? null : new DateTimeOffset(_lastWriteTicks, TimeSpan.Zero),
            _writtenSince,
            new LogReport(Origin.Device, _deviceWalk.Seen, _deviceWalk.Verified, _deviceWalk.Kinds, _deviceEntries),
            new LogReport(Origin.Mirror, _mirrorWalk.Seen, _mirrorWalk.Verified, _mirrorWalk.Kinds, _mirrorEntries),
            _snapshot?.JournalSequenceNr,
            snapshotCheck,
            _divergence,
            _replayStopped ? null : _replay.State,
            [.. _findings]);
    }

    private SnapshotCheck CheckSnapshot()
    {
        if (_snapshot is null)
            return SnapshotCheck.None;
        var at = _snapshot.JournalSequenceNr;
        if (_snapshot.State is UndecodablePayload bad)
            return SnapshotFault(at, $"the snapshot does not decode: {bad.Reason}");
        if (at > _lastJournalSequenceNr)
            return SnapshotFault(at, $"the snapshot is at event {at} but the journal ends at event {_lastJournalSequenceNr}: events were removed from its end");
        if (_stateAtSnapshot is null)
            return SnapshotCheck.NotReached;
        var difference = _replay.Difference(_snapshot.State, _stateAtSnapshot);
        return difference is null ? SnapshotCheck.Matches : SnapshotFault(at, difference + $" (replaying events 1..{at})");
    }

    private SnapshotCheck SnapshotFault(long at, string reason)
    {
        _findings.Add(new Finding(_device, FindingPlace.Snapshot, at, null, reason));
        return SnapshotCheck.Differs;
    }

    private void Undecodable(UndecodablePayload bad, long sequenceNr)
    {
        var reason = $"the '{bad.Manifest}' payload does not decode: {bad.Reason}";
        var (origin, sequence) = bad.Manifest == EntryAppendedManifest ? EntrySniffer.Sniff(bad.Bytes) : (null, null);
        if (origin is { } log)
        {
            var walk = log == Origin.Device ? _deviceWalk : _mirrorWalk;
            if (!walk.IsBroken)
            {
                Fail(walk.Break(sequence ?? walk.Verified.Length + 1, sequenceNr, reason));
                return;
            }
        }
        Fail(new Finding(_device, FindingPlace.Journal, sequenceNr, null, reason));
    }

    private void Replay(object @event, long sequenceNr)
    {
        if (!_replayStopped)
            _replay.Apply(@event, sequenceNr);
    }

    private void Fail(Finding finding)
    {
        _findings.Add(finding);
        _replayStopped = true;
    }

    private static string ManifestOf(object @event) => @event is IIoTSyncMessage ? IoTSyncCodec.ManifestOf(@event) : @event.GetType().Name;
}
