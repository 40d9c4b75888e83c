using System.Collections.Immutable;
using Akka.Actor;
using Akka.DistributedData;
using Akka.Event;
using Akka.Util;
using IoTSync.Model;

namespace IoTSync.Mirror.Cluster;

/// <summary>
/// A cluster node's side of the replicated <see cref="DeviceBoard"/>: the summaries this node's journals post are
/// written to Akka Distributed Data, and what Distributed Data holds — every node's posts, spread by gossip — is held on
/// this node's board. The summaries live in <see cref="BoardSettings.Keys"/> <c>LWWDictionary</c>s keyed by a stable
/// hash of the device id, so no single key grows with the whole fleet; posts are gathered and written every
/// <see cref="BoardSettings.FlushEvery"/> as one update per key touched (WriteLocal: gossip spreads it). The board is
/// filled from the replicator alone (its change notifications and its acknowledgements of this node's writes), which
/// keeps it in the order Distributed Data resolved, never an older summary over a newer one.
/// </summary>
public sealed class BoardReplicator : ReceiveActor, IWithTimers
{
    /// <summary>Once per <see cref="BoardSettings.FlushEvery"/>: write what was posted since.</summary>
    private sealed record Flush
    {
        public static Flush Instance { get; } = new();
    }

    /// <summary>One update's summaries, handed back with the replicator's acknowledgement.</summary>
    private sealed record Written(ImmutableArray<DeviceSummary> Summaries);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<int, Dictionary<string, DeviceSummary>> _pending = [];
    private readonly BoardSettings _settings;
    private readonly IActorRef _replicator;
    private readonly LWWDictionaryKey<string, DeviceSummary>[] _keys;

    public BoardReplicator(DeviceBoard board, BoardSettings settings, IActorRef replicator)
    {
        _settings = settings;
        _replicator = replicator;
        _keys = [.. Enumerable.Range(0, settings.Keys).Select(i => new LWWDictionaryKey<string, DeviceSummary>($"iotsync-device-board-{i}"))];
        var node = Akka.Cluster.Cluster.Get(Context.System);

        Receive<DeviceSummary>(summary =>
        {
            var key = KeyOf(summary.Device, settings.Keys);
            if (!_pending.TryGetValue(key, out var batch))
                _pending[key] = batch = [];
            batch[summary.Device.Value] = summary;
        });

        Receive<Flush>(_ =>
        {
            foreach (var (key, batch) in _pending)
            {
                var written = new Written([.. batch.Values]);
                _replicator.Tell(Dsl.Update(_keys[key], LWWDictionary<string, DeviceSummary>.Empty, Dsl.WriteLocal, written,
                    dictionary => written.Summaries.Aggregate(dictionary, (held, summary) => held.SetItem(node, summary.Device.Value, summary))));
            }
            _pending.Clear();
        });

        Receive<UpdateSuccess>(success =>
        {
            if (success.Request is Written written)
                foreach (var summary in written.Summaries)
                    board.Hold(summary);
        });

        Receive<Changed>(changed =>
        {
            if (changed.Data is LWWDictionary<string, DeviceSummary> held)
                foreach (var summary in held.Values)
                    board.Hold(summary);
        });

        Receive<IUpdateFailure>(failure =>
            _log.Warning("device board: summaries not written to Distributed Data ({0}: {1}); each journal posts again at its next change",
                failure.GetType().Name, failure.Cause?.Message));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        foreach (var key in _keys)
            _replicator.Tell(Dsl.Subscribe(key, Self));
        Timers.StartPeriodicTimer("flush", Flush.Instance, _settings.FlushEvery);
    }

    /// <summary>The key a device's summary lives under: a hash of its id that every node and every run computes alike.</summary>
    public static int KeyOf(DeviceId device, int keys) => (MurmurHash.StringHash(device.Value) & int.MaxValue) % keys;

    /// <summary>The board's replicator on this node, writing through <paramref name="replicator"/> (the node's Distributed Data replicator).</summary>
    public static Props Props(DeviceBoard board, BoardSettings settings, IActorRef replicator) =>
        Akka.Actor.Props.Create(() => new BoardReplicator(board, settings, replicator));
}
