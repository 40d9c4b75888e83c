using Akka.Configuration;
using IoTSync.Logs;
using IoTSync.Mirror.Alerts;
using IoTSync.Mirror.Cluster;
using IoTSync.Mirror.Reverse;
using IoTSync.Mirror.Ssh;
using IoTSync.Mirror.Tokens;
using IoTSync.Security;
using IoTSync.Sync;

namespace IoTSync.Mirror;

/// <summary>
/// What the mirror node's actors and its control socket are made of: its settings, its SSH key, the
/// device keys the registry keeps current, the API tokens the token store keeps current, the session
/// opener and the clock.
/// </summary>
public sealed record MirrorNodeParts(
    MirrorNodeSettings Settings,
    StateJournalSettings Journals,
    ExchangeSettings Exchange,
    HealthWatchSettings LateWatch,
    MirrorKeyPair Key,
    DeviceKeyCache Devices,
    IDeviceSessionOpener Opener,
    IWallClock Wall,
    EdgeTls? Tls)
{
    /// <summary>The node's refusal counters: the edge, the replicator and the control socket count into the same one.</summary>
    public Refusals Refusals { get; init; } = new();

    /// <summary>The webhooks health changes are sent to; none by default (then no alert actor runs).</summary>
    public AlertSettings Alerts { get; init; } = AlertSettings.None;

    /// <summary>Reverse devices' sessions: where they arrive (<see cref="Reverse.MirrorSessionSocket"/>); null runs no session socket.</summary>
    public ReverseSettings? Reverse { get; init; }

    /// <summary>Where an arriving reverse session meets the replicator's opener for it.</summary>
    public SessionRendezvous<ReverseArrival> Rendezvous { get; init; } = new();

    /// <summary>Whether this node runs alone or in a cluster of mirror nodes, and that cluster's shape.</summary>
    public MirrorClusterSettings Cluster { get; init; } = MirrorClusterSettings.Single;

    /// <summary>Mutual TLS among cluster nodes: this node's certificate and a validator that admits mirror certificates only; null without TLS.</summary>
    public EdgeTls? ClusterTls { get; init; }

    /// <summary>Every device's latest summary, posted by its journal: what the fleet listing and the health watch read.</summary>
    public DeviceBoard Board { get; init; } = new();

    /// <summary>The API tokens the <see cref="ApiTokenStore"/> keeps current: what the HTTP API authenticates with.</summary>
    public ApiTokenCache Tokens { get; init; } = new(Wall);

    /// <summary>What the edge needs besides the core's actors: the keys heartbeats are checked with, who is admitted, its limits and the clock.</summary>
    public MirrorEdgeParts Edge => new(Devices, Devices, new HeartbeatListenerSettings(Settings.HeartbeatTimeWindow, Settings.RequestTimeout, Settings.HeartbeatRate) { AskAgainAfter = Settings.HeartbeatAskAgainAfter }, Wall, Tls)
    {
        Refusals = Refusals,
    };

    /// <summary>
    /// The parts from the node's configuration; the SSH key pair is created when missing. With TLS on, the
    /// mirror's certificate and the fleet CA are read now, and the edge admits the certificates of enrolled,
    /// not disabled devices only.
    /// </summary>
    public static MirrorNodeParts FromConfig(Config config)
    {
        var settings = MirrorNodeSettings.FromConfig(config);
        var journals = StateJournalSettings.FromConfig(config);
        var exchange = ExchangeSettings.FromConfig(config);
        var lateWatch = HealthWatchSettings.FromConfig(config);
        var alerts = AlertSettings.FromConfig(config);
        var key = MirrorKeyPair.LoadOrCreate(settings.PrivateKey);
        var devices = new DeviceKeyCache(settings.RotationOverlap);
        var refusals = new Refusals();
        var tlsSettings = TlsSettings.FromConfig(config);
        var tls = tlsSettings.Load(ca => FleetTlsValidator.AtMirror(ca, devices, refusals));
        var cluster = MirrorClusterSettings.FromConfig(config);
        var reverse = ReverseSettings.FromConfig(config);
        var rendezvous = new SessionRendezvous<ReverseArrival>();
        var opener = new SessionOpenerByMode(new SshSessionOpener(key.PrivateKeyPath, settings.ConnectTimeout, settings.KeyExchange),
            new ReverseSessionOpener(rendezvous, reverse?.ArrivalTimeout ?? settings.DeviceWindowLimit));
        return new MirrorNodeParts(settings, journals, exchange, lateWatch, key, devices, opener, SystemWallClock.Instance, tls)
        {
            Refusals = refusals, Alerts = alerts, Reverse = reverse, Rendezvous = rendezvous, Cluster = cluster,
            ClusterTls = cluster.IsCluster ? tlsSettings.Load(ca => FleetTlsValidator.BetweenMirrors(ca, refusals)) : null,
        };
    }
}
