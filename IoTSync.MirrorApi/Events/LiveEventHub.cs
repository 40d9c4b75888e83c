using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.MirrorApi.Resources;
using IoTSync.MirrorApi.Server;
using IoTSync.Model;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.MirrorApi.Events;

/// <summary>
/// The live events of this run of the node, numbered: what the StateJournals, the window histories and
/// the HealthWatch publish on the event stream becomes <c>entry</c>, <c>command</c>, <c>window</c> and
/// <c>health</c> events (on a cluster node those of every node: the <c>ClusterEventRelay</c> publishes the other nodes' here), kept in a bounded buffer (<c>replay-buffer</c>) for clients that reconnect, and
/// handed to each subscriber's bounded queue. No actor ever waits for it: a small listener moves what is
/// published into an unbounded inbox, one task numbers it, and a subscriber whose queue is full is
/// disconnected (<see cref="Dropped"/>), never waited for.
/// </summary>
public sealed class LiveEventHub : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Queue<LiveEvent> _buffer = new();
    private readonly HashSet<EventSubscription> _subscribers = [];
    private readonly Channel<object> _inbox = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    // The pump's alone: the mirror commands announced pending in this run and not yet delivered or resolved,
    // and the devices that confirmed a delivery in this run.
    private readonly Dictionary<DeviceId, SortedSet<long>> _pending = [];
    private readonly HashSet<DeviceId> _confirmed = [];
    private readonly EventStreamSettings _settings;
    private readonly MirrorOperations _ops;
    private readonly ILoggingAdapter _log;
    private readonly IActorRef _listener;
    private readonly Task _pump;
    private long _serial;
    private long _dropped;
    private int _disposed;

    public LiveEventHub(ActorSystem system, MirrorOperations ops, MirrorNodeParts parts, EventStreamSettings settings)
    {
        _settings = settings;
        _ops = ops;
        _log = Logging.GetLogger(system, "iotsync-mirror");
        Epoch = parts.Wall.UtcNowMs;
        _listener = system.ActorOf(Props.Create(() => new Listener(_inbox.Writer)), "api-live-events");
        foreach (var type in new[] { typeof(JournalWritten), typeof(WindowRecorded), typeof(HealthChanged) })
            system.EventStream.Subscribe(_listener, type);
        _pump = Task.Run(Pump);
    }

    /// <summary>This run of the node (when the hub started, unix ms): ids of another run are not in the buffer.</summary>
    public long Epoch { get; }

    public EventStreamSettings Settings => _settings;

    /// <summary>Subscribers disconnected because their queue was full, since the node started.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>The serial of the newest event published in this run (0: none yet).</summary>
    public long Published
    {
        get
        {
            lock (_gate)
                return _serial;
        }
    }

    /// <summary>Streams open now.</summary>
    public int Subscribers
    {
        get
        {
            lock (_gate)
                return _subscribers.Count;
        }
    }

    /// <summary>
    /// A new subscriber to the device's events (the fleet's when null), and, taken at the same instant so
    /// that nothing is sent twice or lost, what of the buffer comes after <paramref name="last"/>; or why
    /// that cannot be known (another run, or the events after it have left the buffer).
    /// </summary>
    public EventSubscription Subscribe(DeviceId? device, EventId? last, out BufferedReplay replay)
    {
        var subscription = new EventSubscription(device, Channel.CreateBounded<LiveEvent>(new BoundedChannelOptions(_settings.SubscriberQueue)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        }));
        lock (_gate)
        {
            _subscribers.Add(subscription);
            var oldest = _buffer.Count > 0 ? _buffer.Peek().Serial : _serial + 1;
            replay = last switch
            {
                null => new BufferedReplay(_serial, [], null),
                _ when last.Epoch != Epoch => new BufferedReplay(_serial, [], "the id is from another run of the mirror (it restarted since)"),
                _ when last.Serial > _serial => new BufferedReplay(_serial, [], "the id is not one this run of the mirror has sent"),
                _ when last.Serial + 1 < oldest => new BufferedReplay(_serial, [], "the events after the id have left the mirror's replay buffer (iotsync.mirror.http.events.replay-buffer)"),
                _ => new BufferedReplay(last.Serial, [.. _buffer.Where(e => e.Serial > last.Serial && subscription.Wants(e))], null),
            };
        }
        return subscription;
    }

    public void Unsubscribe(EventSubscription subscription)
    {
        lock (_gate)
            _subscribers.Remove(subscription);
    }

    private async Task Pump()
    {
        try
        {
            await foreach (var published in _inbox.Reader.ReadAllAsync(_stop.Token))
            {
                try
                {
                    await Handle(published);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A command's resource that could not be read (a timeout, the node stopping): the entry events still went out.
                    if (!_stop.IsCancellationRequested)
                        _log.Warning("live events: {0} not turned into events: {1}", published.GetType().Name, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task Handle(object published)
    {
        switch (published)
        {
            case JournalWritten { Event: EntryAppended appended } written:
                var entry = appended.Entry;
                var (deviceLog, mirrorLog) = (written.View.DeviceLog.Length, written.View.MirrorLog.Length);
                Publish(written.Device, LiveEventTypes.Entry,
                    new EntryEventResource(written.Device.Value, ApiResources.Of(entry)),
                    new StoredEntry(entry.Origin, entry.Sequence, deviceLog, mirrorLog));
                if (entry is { Origin: Origin.Mirror, Kind: EntryKind.Command })
                {
                    if ((await PublishCommand(written.Device, entry.Sequence)).Status == "pending")
                        Pending(written.Device).Add(entry.Sequence);
                }
                else if (entry is { Origin: Origin.Device, Kind: EntryKind.Result, Target: { Origin: Origin.Mirror } target })
                {
                    Pending(written.Device).Remove(target.Sequence);
                    await PublishCommand(written.Device, target.Sequence);
                }
                break;
            case JournalWritten { Event: DeliveryConfirmed confirmed } written:
                await PublishDelivered(written.Device, confirmed.MirrorLogLength);
                break;
            case WindowRecorded { Event: HeartbeatRecorded heartbeat } window:
                Publish(window.Device, LiveEventTypes.Window, new WindowEventResource(window.Device.Value, "heartbeat", heartbeat.ReceivedAtUnixMs,
                    heartbeat.CyclePeriodMs, heartbeat.PreviousWindow is { } previous ? ApiResources.Of(previous) : null, null));
                break;
            case WindowRecorded { Event: SessionRecorded session } window:
                Publish(window.Device, LiveEventTypes.Window, new WindowEventResource(window.Device.Value, "session", session.EndedAtUnixMs, null, null, ApiResources.Of(session)));
                break;
            case HealthChanged health:
                Publish(health.Device, LiveEventTypes.Health, new HealthEventResource(health.Device.Value, health.From, health.To, health.AtUnixMs, health.Detail));
                break;
        }
    }

    private async Task<CommandResource> PublishCommand(DeviceId device, long sequence)
    {
        var command = await _ops.Command(device.Value, sequence, _stop.Token);
        Publish(device, LiveEventTypes.Command, command);
        return command;
    }

    private SortedSet<long> Pending(DeviceId device) =>
        _pending.TryGetValue(device, out var pending) ? pending : _pending[device] = [];

    /// <summary>
    /// The commands the device now holds: those announced pending in this run up to the confirmed length,
    /// and at the device's first confirmation in this run its open commands up to it too (they may have
    /// been submitted, or even announced delivered, before a restart).
    /// </summary>
    private async Task PublishDelivered(DeviceId device, long through)
    {
        var pending = Pending(device);
        var due = new SortedSet<long>(pending.Where(sequence => sequence <= through));
        pending.ExceptWith(due);
        if (_confirmed.Add(device))
        {
            var state = await _ops.State(device.Value, _stop.Token);
            due.UnionWith(state.OpenCommands.Where(c => c.Origin == "mirror" && c.Sequence <= through).Select(c => c.Sequence));
        }
        foreach (var sequence in due)
            await PublishCommand(device, sequence);
    }

    private void Publish(DeviceId device, string type, object data, StoredEntry? entry = null)
    {
        lock (_gate)
        {
            var published = new LiveEvent(++_serial, device, type, data, entry);
            _buffer.Enqueue(published);
            if (_buffer.Count > _settings.ReplayBuffer)
                _buffer.Dequeue();
            List<EventSubscription>? tooSlow = null;
            foreach (var subscription in _subscribers)
                if (subscription.Wants(published) && !subscription.Offer(published))
                    (tooSlow ??= []).Add(subscription);
            foreach (var subscription in tooSlow ?? [])
            {
                _subscribers.Remove(subscription);
                subscription.Disconnect();
                _dropped++;
                _log.Warning("live events: a subscriber ({0}) fell {1} events behind and was disconnected; it reconnects with Last-Event-ID",
                    subscription.Device?.Value ?? "fleet", _settings.SubscriberQueue);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        _inbox.Writer.TryComplete();
        await _stop.CancelAsync();
        await _pump;
        lock (_gate)
        {
            foreach (var subscription in _subscribers)
                subscription.Close();
            _subscribers.Clear();
        }
        _listener.Tell(PoisonPill.Instance);
        _stop.Dispose();
    }

    /// <summary>Moves what is published into the hub's inbox, which takes anything at once.</summary>
    private sealed class Listener : ReceiveActor
    {
        public Listener(ChannelWriter<object> inbox) => ReceiveAny(published => inbox.TryWrite(published));
    }
}

/// <summary>What a subscriber missed, from the buffer, and the serial it continues from; <see cref="Gap"/> when that is not all it missed.</summary>
public sealed record BufferedReplay(long From, IReadOnlyList<LiveEvent> Missed, string? Gap);
