using System.Collections.Immutable;
using Akka.Configuration;
using IoTSync.Configuration;
using IoTSync.Mirror.Ssh;
using IoTSync.Model;

namespace IoTSync.Device;

/// <summary>
/// <c>iotsync.device.mode = reverse</c> and <c>iotsync.device.reverse</c>: the mirror host's sshd the
/// device dials when a heartbeat's answer says sync, as whom, with which key of its own, and the host
/// key it must find there (pinned; any other aborts before authentication). An empty <see cref="Host"/> dials the
/// host of the mirror node that answered the window's heartbeat: a fleet whose mirror nodes each run their own sshd
/// (sharing one host key) sends each session to the node that asked for it.
/// </summary>
public sealed record ReverseDialSettings(string Host, int Port, string User, HostKeyFingerprint HostKey, string KeyFile, TimeSpan ConnectTimeout,
    ImmutableArray<string> KeyExchange, string RemoteCommand)
{
    /// <summary>The settings, or null when the device is in direct mode (the mirror dials it).</summary>
    public static ReverseDialSettings? FromConfig(Config root)
    {
        var modeText = root.RequireString("iotsync.device.mode");
        if (!SessionModes.TryParse(modeText, out var mode))
            throw new ConfigurationException($"iotsync.device.mode: '{modeText}' is not direct or reverse");
        if (mode == SessionMode.Direct)
            return null;
        const string at = "iotsync.device.reverse";
        var hostKeyText = root.RequireString($"{at}.host-key");
        if (!HostKeyFingerprint.TryParse(hostKeyText, out var hostKey, out string problem))
            throw new ConfigurationException($"{at}.host-key: {problem} (the mirror host's sshd key: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub -E sha256 there)");
        var host = root.OptionalString($"{at}.host");
        if (host.Any(char.IsWhiteSpace))
            throw new ConfigurationException($"{at}.host: the mirror host's name or address (or empty: the answering mirror's host), not '{host}'");
        return new ReverseDialSettings(host, root.RequireInt($"{at}.port", 1, 65535), root.RequireString($"{at}.user"), hostKey,
            root.RequirePath($"{at}.key-file"), root.RequireDuration($"{at}.connect-timeout"), root.StringList($"{at}.key-exchange"),
            root.RequireString($"{at}.remote-command"));
    }

    /// <summary>Whether sessions go to the host of the mirror that answered the heartbeat (<see cref="Host"/> empty).</summary>
    public bool FollowsAnsweringMirror => Host.Length == 0;

    /// <summary>
    /// The sshd host to dial: <see cref="Host"/>, or when that is empty the host of <paramref name="answeringMirror"/>
    /// (HOST:PORT, the mirror that answered the window's heartbeat).
    /// </summary>
    /// <exception cref="InvalidOperationException">The host follows the answering mirror and none is known.</exception>
    public string HostFor(string? answeringMirror) =>
        !FollowsAnsweringMirror ? Host
        : answeringMirror is not null && HostPort.TryParse(answeringMirror, out var host, out _) ? host
        : throw new InvalidOperationException("iotsync.device.reverse.host is empty (the answering mirror's host) and no mirror has answered");

    /// <summary>
    /// What <see cref="SshTransport.Open"/> is given: key-only, the host key pinned, the relay asked for (sshd forces it
    /// anyway), at <see cref="HostFor"/> <paramref name="answeringMirror"/>.
    /// </summary>
    public SshTransportSettings Transport(TimeSpan closeTimeout, string? answeringMirror = null) => new(HostFor(answeringMirror), Port, User, KeyFile, HostKey)
    {
        ConnectTimeout = ConnectTimeout,
        CloseTimeout = closeTimeout,
        KeyExchangeAlgorithms = KeyExchange,
        RemoteCommand = RemoteCommand,
        KeyOwner = "the device's",
    };

    /// <summary>The dial as the log names it: where it goes when <paramref name="answeringMirror"/> answered the window's heartbeat.</summary>
    public string Describe(string? answeringMirror) =>
        !FollowsAnsweringMirror ? ToString()
        : answeringMirror is not null && HostPort.TryParse(answeringMirror, out var host, out _)
            ? $"{User}@{host}:{Port} (the answering mirror's host; host key {HostKey})"
            : "the answering mirror's host, but no mirror has answered";

    public override string ToString() => $"{User}@{(FollowsAnsweringMirror ? "the answering mirror's host" : Host)}:{Port} (host key {HostKey})";
}
