using System.Collections.Concurrent;
using System.Collections.Immutable;
using IoTSync.Logs;

namespace IoTSync.Security;

/// <summary>
/// The node's refusal counters: one named count per reason the node refuses input, incremented at the
/// one place that refusal is logged. One instance per node (its parts hold it), read as a plain snapshot
/// by the control socket's replies, the status commands and, later, /metrics. Thread-safe: the edge's
/// TLS callback, the actors and the control socket's connections all count into it.
/// </summary>
public sealed class Refusals
{
    /// <summary>A heartbeat whose MAC does not verify with the device's key.</summary>
    public const string HeartbeatBadMac = "heartbeat-bad-mac";

    /// <summary>A heartbeat whose nonce was seen before.</summary>
    public const string HeartbeatReplayed = "heartbeat-replayed";

    /// <summary>A heartbeat sent outside the mirror's time window (answered with the mirror's time, nothing recorded).</summary>
    public const string HeartbeatStale = "heartbeat-stale";

    /// <summary>A heartbeat over the device's rate limit.</summary>
    public const string HeartbeatRate = "heartbeat-rate";

    /// <summary>A heartbeat with a nonce that is not one.</summary>
    public const string HeartbeatMalformed = "heartbeat-malformed";

    /// <summary>A heartbeat, session or command for a device that is not enrolled.</summary>
    public const string DeviceUnknown = "device-unknown";

    /// <summary>A heartbeat, session or command for a disabled device.</summary>
    public const string DeviceDisabled = "device-disabled";

    /// <summary>A heartbeat signed with credentials a rotation retired, after the overlap.</summary>
    public const string CredentialsRetired = "credentials-retired";

    /// <summary>A TLS peer whose certificate the fleet validator refused (none, another CA's, expired, not admitted).</summary>
    public const string TlsRefused = "tls-refused";

    /// <summary>A frame that does not decode (sync channel, control socket, Akka.Remote).</summary>
    public const string FrameMalformed = "frame-malformed";

    /// <summary>A remote message to anything but the edge's one reachable actor, or one that actor does not take.</summary>
    public const string RemoteMessageDropped = "remote-message-dropped";

    /// <summary>A batch that skips a sequence number or starts past the replica's end.</summary>
    public const string BatchGap = "batch-gap";

    /// <summary>A batch or claim that contradicts what the replica holds.</summary>
    public const string BatchFork = "batch-fork";

    /// <summary>An entry whose hash is not the hash of its content.</summary>
    public const string BatchBadHash = "batch-bad-hash";

    /// <summary>An entry that does not link to the one before it.</summary>
    public const string BatchBadLink = "batch-bad-link";

    /// <summary>An entry of a shape no writer produces, or a hello that is not this session's.</summary>
    public const string BatchMalformed = "batch-malformed";

    /// <summary>A side reporting a shorter log than the replica holds.</summary>
    public const string ShorterLog = "shorter-log";

    /// <summary>A device's SSH host key that is not the pinned one.</summary>
    public const string HostKeyMismatch = "host-key-mismatch";

    /// <summary>A device's sshd that refused the mirror's key.</summary>
    public const string SshAuth = "ssh-auth";

    /// <summary>A sync session asked for through the relay or sync-endpoint while no window is open.</summary>
    public const string RelayOutsideWindow = "relay-outside-window";

    /// <summary>A command the device's allow-list does not admit.</summary>
    public const string CommandNotAllowed = "command-not-allowed";

    /// <summary>At the device: a heartbeat ack or session-abandoned message that is not for this window or has a bad MAC.</summary>
    public const string MirrorAnswerRefused = "mirror-answer-refused";

    /// <summary>At the mirror: a reverse session arriving through the relay for a direct-mode device, or when no session is wanted.</summary>
    public const string ReverseArrivalRefused = "reverse-arrival-refused";

    /// <summary>A control request that does not decode or is not one the node serves.</summary>
    public const string ControlMalformed = "control-malformed";

    /// <summary>An API request over TCP with a bearer token that is malformed, unknown, expired or revoked.</summary>
    public const string ApiToken = "api-token-refused";

    /// <summary>An API request whose token's role does not allow it.</summary>
    public const string ApiRole = "api-role-refused";

    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>Counts one refusal of <paramref name="kind"/>.</summary>
    public void Count(string kind) => _counts.AddOrUpdate(kind, 1, static (_, n) => n + 1);

    /// <summary>How many refusals of <paramref name="kind"/> so far.</summary>
    public long Of(string kind) => _counts.GetValueOrDefault(kind);

    /// <summary>The non-zero counters now, by name.</summary>
    public IReadOnlyDictionary<string, long> Snapshot() => _counts.ToImmutableSortedDictionary(StringComparer.Ordinal);

    /// <summary>The counter for a batch or claim the chain check refused; null for a verdict that is no refusal.</summary>
    public static string? ForVerdict(Verdict verdict) => verdict switch
    {
        Verdict.Gap => BatchGap,
        Verdict.Fork => BatchFork,
        Verdict.BadHash => BatchBadHash,
        Verdict.BadLink => BatchBadLink,
        Verdict.LogShrank => ShorterLog,
        Verdict.Malformed => BatchMalformed,
        _ => null,
    };
}
