using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Serialization;
using static IoTSync.Device.CommandRecorderEvents;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.Inspection;

/// <summary>
/// Replays a persistent actor's events through the same pure <c>Apply</c> the actor uses in
/// recovery (<see cref="CommandRecorderState.Apply"/> or <see cref="StateJournalState.Apply"/>),
/// and compares a snapshot with the state the replay reaches at the snapshot's sequence number.
/// </summary>
public abstract class ActorReplay
{
    public static ActorReplay For(NodeRole role, DeviceId device) =>
        role == NodeRole.Device ? new RecorderReplay(device) : new StateJournalReplay(device);

    /// <summary>The whole state record, as a snapshot holds it.</summary>
    public abstract object State { get; }

    public abstract LogPair Logs { get; }

    /// <summary>Whether this actor persists events of this type.</summary>
    public abstract bool Accepts(object @event);

    /// <summary>Applies one event, as recovery does.</summary>
    public abstract void Apply(object @event, long journalSequenceNr);

    /// <summary>
    /// Why <paramref name="snapshot"/> is not the state <paramref name="replayed"/> (a
    /// <see cref="State"/> captured at the snapshot's sequence number), or null when it is.
    /// </summary>
    public string? Difference(object snapshot, object replayed)
    {
        if (snapshot.GetType() != replayed.GetType())
            return $"the snapshot holds a {Manifest(snapshot)}, not a {Manifest(replayed)}";
        var (mine, theirs) = (LogsOf(snapshot), LogsOf(replayed));
        if (mine.Device != theirs.Device)
            return $"the snapshot is of device {mine.Device}";
        if (mine.DeviceLog != theirs.DeviceLog)
            return $"device log position differs: snapshot {mine.DeviceLog}, replay {theirs.DeviceLog}";
        if (mine.MirrorLog != theirs.MirrorLog)
            return $"mirror log position differs: snapshot {mine.MirrorLog}, replay {theirs.MirrorLog}";
        var (snapshotDigest, replayDigest) = (mine.Model.Digest(), theirs.Model.Digest());
        if (snapshotDigest != replayDigest)
            return $"state digest differs: snapshot {snapshotDigest.Short}, replay {replayDigest.Short}";
        if (mine.LatestTimestamp != theirs.LatestTimestamp)
            return $"latest timestamp differs: snapshot {mine.LatestTimestamp}, replay {theirs.LatestTimestamp}";
        if (!mine.Index.DeviceCheckpoints.SequenceEqual(theirs.Index.DeviceCheckpoints) ||
            !mine.Index.MirrorCheckpoints.SequenceEqual(theirs.Index.MirrorCheckpoints))
            return "journal index differs";
        if (ActorDifference(snapshot, replayed) is { } other)
            return other;
        // Anything else the record holds, field by field through the codec that wrote the snapshot.
        return IoTSyncCodec.Encode(snapshot).AsSpan().SequenceEqual(IoTSyncCodec.Encode(replayed))
            ? null
            : "the snapshot differs from the replay";
    }

    protected abstract LogPair LogsOf(object state);

    protected abstract string? ActorDifference(object snapshot, object replayed);

    private static string Manifest(object state) =>
        state is IIoTSyncMessage ? IoTSyncCodec.ManifestOf(state) : state.GetType().Name;

    private sealed class RecorderReplay(DeviceId device) : ActorReplay
    {
        private CommandRecorderState _state = CommandRecorderState.Empty(device);

        public override object State => _state;
        public override LogPair Logs => _state.Logs;
        public override bool Accepts(object @event) => @event is EntryAppended or CommandStarted;
        public override void Apply(object @event, long journalSequenceNr) => _state = _state.Apply(@event, journalSequenceNr);
        protected override LogPair LogsOf(object state) => ((CommandRecorderState)state).Logs;

        protected override string? ActorDifference(object snapshot, object replayed)
        {
            var (mine, theirs) = ((CommandRecorderState)snapshot, (CommandRecorderState)replayed);
            return mine.Started.SequenceEqual(theirs.Started)
                ? null
                : $"started commands differ: snapshot [{string.Join(", ", mine.Started)}], replay [{string.Join(", ", theirs.Started)}]";
        }
    }

    private sealed class StateJournalReplay(DeviceId device) : ActorReplay
    {
        private StateJournalState _state = StateJournalState.Empty(device);

        public override object State => _state;
        public override LogPair Logs => _state.Logs;
        public override bool Accepts(object @event) =>
            @event is EntryAppended or DeliveryConfirmed or DivergenceDetected or HeartbeatRecorded or SessionRecorded;
        public override void Apply(object @event, long journalSequenceNr) => _state = _state.Apply(@event, journalSequenceNr);
        protected override LogPair LogsOf(object state) => ((StateJournalState)state).Logs;

        protected override string? ActorDifference(object snapshot, object replayed)
        {
            var (mine, theirs) = ((StateJournalState)snapshot, (StateJournalState)replayed);
            if (mine.DeliveredThrough != theirs.DeliveredThrough)
                return $"delivered-through differs: snapshot {mine.DeliveredThrough}, replay {theirs.DeliveredThrough}";
            if (mine.Divergence != theirs.Divergence)
                return $"divergence differs: snapshot {mine.Divergence?.Describe() ?? "none"}, replay {theirs.Divergence?.Describe() ?? "none"}";
            var (myWindows, theirWindows) = (mine.History, theirs.History);
            return myWindows.WindowCount == theirWindows.WindowCount && myWindows.LastHeartbeatAtUnixMs == theirWindows.LastHeartbeatAtUnixMs
                ? null
                : $"window history differs: snapshot {myWindows.WindowCount} windows, last heartbeat at {myWindows.LastHeartbeatAtUnixMs?.ToString() ?? "none"}, " +
                  $"replay {theirWindows.WindowCount} windows, last heartbeat at {theirWindows.LastHeartbeatAtUnixMs?.ToString() ?? "none"}";
        }
    }
}
