using Akka.Actor;
using IoTSync.Mirror;
using IoTSync.MirrorApi.Events;
using IoTSync.MirrorApi.Server;
using Prometheus;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.MirrorApi.Metrics;

/// <summary>
/// The node's metrics in Prometheus' text format (<c>GET /metrics</c>), in a registry of its own (no
/// process defaults, nothing shared between nodes in one process). What happens is counted as it is
/// published (heartbeats answered, sessions, entries moved, the device's own window durations); what is
/// is read when scraped (refusals, devices by health, open commands, journal size, event streams).
/// docs/API.md ("Live events, metrics and probes") lists them.
/// </summary>
public sealed class MirrorMetrics
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly string[] Statuses =
        [.. Enum.GetValues<LivenessStatus>().Select(status => new LivenessVerdict(status, 0, 0).Label), "disabled"];

    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly Histogram _windows;
    private readonly Counter _heartbeats;
    private readonly Counter _sessions;
    private readonly Counter _entries;
    private readonly Counter _refusals;
    private readonly Gauge _devices;
    private readonly Gauge _openCommands;
    private readonly Gauge _journalBytes;
    private readonly Gauge _streams;
    private readonly Counter _streamsDropped;

    public MirrorMetrics(ActorSystem system, MirrorOperations ops, MirrorNodeParts parts, LiveEventHub events, string databasePath)
    {
        var metrics = Prometheus.Metrics.WithCustomRegistry(_registry);
        _windows = metrics.CreateHistogram("iotsync_device_window_seconds", "The devices' own windows, interface up to down, as their next heartbeat reports them.",
            new HistogramConfiguration { Buckets = [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800] });
        _heartbeats = metrics.CreateCounter("iotsync_heartbeats_accepted_total", "Heartbeats the mirror answered and recorded.");
        _sessions = metrics.CreateCounter("iotsync_sessions_total", "Sync sessions run, by outcome (failed: broke off; refused-by-*, protocol-error, digest-mismatch: what went wrong).", "outcome");
        _entries = metrics.CreateCounter("iotsync_entries_moved_total", "Log entries moved in sync sessions: to-device (the mirror log pushed), from-device (the device log pulled).", "direction");
        _refusals = metrics.CreateCounter("iotsync_refusals_total", "Input the node refused, by reason (heartbeat-* and credentials-retired: heartbeats refused).", "reason");
        _devices = metrics.CreateGauge("iotsync_devices", "Enrolled devices by health status.", "status");
        _openCommands = metrics.CreateGauge("iotsync_open_commands", "Commands no result has closed yet, over all devices.");
        _journalBytes = metrics.CreateGauge("iotsync_journal_bytes", "The journal's database file and its write-ahead log, in bytes.");
        _streams = metrics.CreateGauge("iotsync_api_event_streams", "Live event streams open now.");
        _streamsDropped = metrics.CreateCounter("iotsync_api_event_streams_dropped_total", "Live event streams disconnected because the subscriber fell behind.");
        _entries.WithLabels("to-device");
        _entries.WithLabels("from-device");

        var listener = system.ActorOf(Props.Create(() => new Listener(this)), "api-metrics");
        system.EventStream.Subscribe(listener, typeof(WindowRecorded));
        _registry.AddBeforeCollectCallback(async cancel =>
        {
            foreach (var (reason, count) in parts.Refusals.Snapshot())
                _refusals.WithLabels(reason).IncTo(count);
            var fleet = await ops.Devices(cancel);
            foreach (var status in Statuses)
                _devices.WithLabels(status).Set(fleet.Devices.Count(d => d.Status == status));
            _openCommands.Set(fleet.Devices.Sum(d => d.OpenCommands));
            _journalBytes.Set(FileBytes(databasePath) + FileBytes(databasePath + "-wal"));
            _streams.Set(events.Subscribers);
            _streamsDropped.IncTo(events.Dropped);
        });
    }

    /// <summary>The metrics as Prometheus reads them; collected in full before any byte is sent, so a node that cannot answer gets a problem document.</summary>
    public async Task<byte[]> Scrape(CancellationToken cancel)
    {
        using var text = new MemoryStream();
        await _registry.CollectAndExportAsTextAsync(text, cancel);
        return text.ToArray();
    }

    private static long FileBytes(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private void Recorded(WindowRecorded recorded)
    {
        switch (recorded.Event)
        {
            case HeartbeatRecorded heartbeat:
                _heartbeats.Inc();
                if (heartbeat.PreviousWindow is { } window)
                    _windows.Observe(window.DurationMs / 1000.0);
                break;
            case SessionRecorded session:
                _sessions.WithLabels(ApiResources.Words(session.Outcome)).Inc();
                _entries.WithLabels("to-device").Inc(session.EntriesPushed);
                _entries.WithLabels("from-device").Inc(session.EntriesPulled);
                break;
        }
    }

    /// <summary>Counts the window events as they are published.</summary>
    private sealed class Listener : ReceiveActor
    {
        public Listener(MirrorMetrics metrics) => Receive<WindowRecorded>(metrics.Recorded);
    }
}
