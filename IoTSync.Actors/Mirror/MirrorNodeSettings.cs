using System.Collections.Immutable;
using Akka.Configuration;
using IoTSync.Configuration;
using IoTSync.Protocol;

namespace IoTSync.Mirror;

/// <summary>Everything <c>iotsync-mirror run</c> reads from <c>mirror.hocon</c> besides persistence and the StateJournal limits.</summary>
public sealed record MirrorNodeSettings(
    string SystemName,
    string ControlSocket,
    string PrivateKey,
    TimeSpan ConnectTimeout,
    TimeSpan SessionTimeout,
    int MaxConcurrentSessions,
    ImmutableArray<string> KeyExchange,
    string OutwardAddress,
    string DeviceCommand,
    TimeSpan CommandExpiresAfter,
    TimeSpan HeartbeatTimeWindow,
    TimeSpan RequestTimeout,
    TimeSpan DeviceWindowLimit,
    TimeSpan RotationOverlap,
    HeartbeatRate HeartbeatRate)
{
    /// <summary>How long a device's heartbeat may wait for its decision before a later heartbeat of the device asks its journal again.</summary>
    public TimeSpan HeartbeatAskAgainAfter { get; init; } = TimeSpan.FromSeconds(1);

    public static MirrorNodeSettings FromConfig(Config root) => new(
        root.RequireString("iotsync.mirror.system-name"),
        root.RequirePath("iotsync.mirror.control-socket"),
        root.RequirePath("iotsync.mirror.ssh.private-key"),
        root.RequireDuration("iotsync.mirror.ssh.connect-timeout"),
        root.RequireDuration("iotsync.mirror.ssh.session-timeout"),
        root.RequireInt("iotsync.mirror.ssh.max-concurrent-sessions", 1, 100_000),
        root.StringList("iotsync.mirror.ssh.key-exchange"),
        root.RequireString("iotsync.mirror.enrolment.outward-address"),
        root.RequireString("iotsync.mirror.enrolment.device-command"),
        root.RequireDuration("iotsync.mirror.command-expires-after"),
        root.RequireDuration("iotsync.mirror.heartbeat-time-window"),
        root.RequireDuration("iotsync.mirror.request-timeout"),
        root.RequireDuration("iotsync.mirror.window-limit"),
        root.RequireDuration("iotsync.mirror.rotation-overlap"),
        HeartbeatRate.FromConfig(root))
    {
        HeartbeatAskAgainAfter = root.RequireDuration("iotsync.mirror.heartbeat-ask-again-after"),
    };
}
