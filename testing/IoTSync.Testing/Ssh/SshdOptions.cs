using System.Net;
using IoTSync.Testing.Rig;

namespace IoTSync.Testing.Ssh;

/// <summary>How a <see cref="PrivateSshd"/> differs from the default server (127.0.0.1, a free port, a temp directory).</summary>
public sealed record SshdOptions
{
    /// <summary>The directory for keys, config, log and whatever the forced command writes; null for a temp directory deleted on dispose.</summary>
    public string? Directory { get; init; }

    /// <summary>The address sshd listens on.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The port; null for a free one on loopback, or 22 when started through a <see cref="Launcher"/> (a namespace of its own).</summary>
    public int? Port { get; init; }

    /// <summary>How sshd is started: directly, or inside a network namespace of the test bed.</summary>
    public Launcher Launcher { get; init; } = Launcher.Direct;

    /// <summary>
    /// When set, a client key is generated and authorised for this forced command (given the
    /// server's directory), restricted to <see cref="AllowedFrom"/>; when null, the caller writes
    /// authorized_keys.
    /// </summary>
    public Func<string, string>? ForcedCommand { get; init; }

    /// <summary>The <c>from=</c> pattern of the client key's authorized_keys line.</summary>
    public string AllowedFrom { get; init; } = "127.0.0.1";

    /// <summary>sshd_config lines placed before the defaults, so they win (sshd keeps a keyword's first value).</summary>
    public string[] ExtraConfig { get; init; } = [];

    /// <summary>
    /// Whether the server runs with the project's shipped drop-in (deploy/sshd/iotsync-device.conf,
    /// its sync user <see cref="SyncUser"/>), after <see cref="ExtraConfig"/> and before the run's own lines.
    /// </summary>
    public bool ShippedDropIn { get; init; } = true;

    /// <summary>
    /// Which shipped drop-in: the device's (<c>iotsync-device.conf</c>, the mirror dials in) or the mirror
    /// host's (<c>iotsync-mirror.conf</c>, reverse-mode devices dial in).
    /// </summary>
    public string DropIn { get; init; } = PrivateSshd.DeviceDropIn;

    /// <summary>The sync account the shipped drop-in admits (<c>AllowUsers</c>); null: this run's user.</summary>
    public string? SyncUser { get; init; }

    /// <summary>
    /// The shell sshd runs the forced command with, as a device's dedicated sync account would have
    /// it; null keeps the user's own. The default /bin/sh keeps the user's bash start-up files
    /// (which bash reads even for <c>bash -c</c> when started by sshd) out of every session.
    /// </summary>
    public string? AccountShell { get; init; } = "/bin/sh";

    /// <summary>sshd's LogLevel: DEBUG1 shows what the specs look for; the demo keeps VERBOSE.</summary>
    public string LogLevel { get; init; } = "DEBUG1";
}
