using System.Collections.Immutable;

namespace IoTSync.Mirror.Ssh;

/// <summary>
/// How the mirror reaches one device's SSH server: where, as whom, with which key, and the host
/// key it must find there. Authentication is by key only; there is no password setting.
/// </summary>
public sealed record SshTransportSettings
{
    /// <summary>What the device's authorized_keys forces anyway; sent so a device without the restriction still syncs.</summary>
    public const string DefaultRemoteCommand = "iotsync-device sync-endpoint";

    public SshTransportSettings(string host, int port, string user, string privateKeyPath, HostKeyFingerprint hostKey)
    {
        if (string.IsNullOrWhiteSpace(host))
            throw new ArgumentException("SSH host is empty", nameof(host));
        if (port is < 1 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(port), port, "SSH port must be 1..65535");
        if (string.IsNullOrWhiteSpace(user))
            throw new ArgumentException("SSH user is empty", nameof(user));
        if (string.IsNullOrWhiteSpace(privateKeyPath))
            throw new ArgumentException("private key path is empty", nameof(privateKeyPath));
        Host = host;
        Port = port;
        User = user;
        PrivateKeyPath = privateKeyPath;
        HostKey = hostKey ?? throw new ArgumentNullException(nameof(hostKey));
    }

    /// <summary>Takes the host key as text (as enrolled), failing with a clear message before anything connects.</summary>
    public SshTransportSettings(string host, int port, string user, string privateKeyPath, string hostKeyFingerprint)
        : this(host, port, user, privateKeyPath, HostKeyFingerprint.Parse(hostKeyFingerprint))
    {
    }

    public string Host { get; }

    public int Port { get; }

    public string User { get; }

    /// <summary>The mirror's private key file (OpenSSH, PEM or PuTTY format).</summary>
    public string PrivateKeyPath { get; }

    public string? PrivateKeyPassphrase { get; init; }

    /// <summary>The device's host key as enrolled; any other key aborts the connection before authentication.</summary>
    public HostKeyFingerprint HostKey { get; }

    /// <summary>Bound on TCP connect, key exchange and authentication together.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bound on closing: end of input, the remote command's exit, then the disconnect.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public string RemoteCommand { get; init; } = DefaultRemoteCommand;

    /// <summary>
    /// When not empty, only these key-exchange algorithms are offered (in SSH.NET's order of
    /// preference); empty offers SSH.NET's whole list, whose post-quantum hybrids cost tens of
    /// milliseconds per connect (docs/ARCHITECTURE.md, "SSH transport").
    /// </summary>
    public ImmutableArray<string> KeyExchangeAlgorithms { get; init; } = [];

    public int MaxFrameBytes { get; init; } = Protocol.FrameCodec.DefaultMaxFrameBytes;

    /// <summary>Whose key and server this is, for error messages: the mirror dialling a device (direct mode), or a device dialling the mirror host (reverse).</summary>
    public string KeyOwner { get; init; } = "the mirror's";

    public override string ToString() => $"{User}@{Host}:{Port} (host key {HostKey})";
}
