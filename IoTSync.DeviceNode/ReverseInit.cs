using System.CommandLine;
using System.Text;
using IoTSync.Configuration;
using IoTSync.Mirror.Ssh;
using IoTSync.Model;

namespace IoTSync.DeviceNode;

/// <summary>
/// <c>init --mode reverse --mirror-ssh HOST:PORT --mirror-host-key SHA256:… [--mirror-ssh-user USER]</c>:
/// the device dials the mirror host's sshd when the mirror wants a session. Init makes the device's own SSH
/// key (ECDSA P-256, 0600; its .pub goes to the mirror's <c>enroll --mode reverse --device-key-file</c>) and
/// writes the dial's settings.
/// </summary>
public sealed class ReverseInit
{
    private readonly Option<string> _mode;
    private readonly Option<string?> _mirrorSsh;
    private readonly Option<string?> _hostKey;
    private readonly Option<string?> _user;

    private ReverseInit(Option<string> mode, Option<string?> mirrorSsh, Option<string?> hostKey, Option<string?> user) =>
        (_mode, _mirrorSsh, _hostKey, _user) = (mode, mirrorSsh, hostKey, user);

    public static ReverseInit AddOptions(Command init)
    {
        var mode = new Option<string>("--mode") { Description = "direct (the mirror dials this device's sshd) or reverse (this device dials the mirror host; nothing listens here).", DefaultValueFactory = _ => "direct" };
        var mirrorSsh = new Option<string?>("--mirror-ssh") { Description = "Reverse mode: the mirror host's sshd, HOST:PORT.", HelpName = "HOST:PORT" };
        var hostKey = new Option<string?>("--mirror-host-key") { Description = "Reverse mode: the mirror host's sshd key fingerprint as 'ssh-keygen -lf' prints it there (SHA256:...), pinned.", HelpName = "FINGERPRINT" };
        var user = new Option<string?>("--mirror-ssh-user") { Description = "Reverse mode: the mirror host's sync account (default iotsync-sync).", HelpName = "USER" };
        foreach (var option in new Option[] { mode, mirrorSsh, hostKey, user })
            init.Options.Add(option);
        return new ReverseInit(mode, mirrorSsh, hostKey, user);
    }

    /// <summary>Checks the options before anything is written: a reverse dial needs the mirror host's sshd and its key.</summary>
    public SessionMode Check(ParseResult parsed)
    {
        if (!SessionModes.TryParse(parsed.GetValue(_mode), out var mode))
            throw new ArgumentException($"--mode: '{parsed.GetValue(_mode)}' is not direct or reverse");
        if (mode == SessionMode.Direct)
        {
            if (parsed.GetValue(_mirrorSsh) is not null || parsed.GetValue(_hostKey) is not null || parsed.GetValue(_user) is not null)
                throw new ArgumentException("--mirror-ssh, --mirror-host-key and --mirror-ssh-user are for --mode reverse");
            return mode;
        }
        if (parsed.GetValue(_mirrorSsh) is not { } endpoint || !HostPort.TryParse(endpoint, out _, out _))
            throw new ArgumentException($"--mode reverse needs --mirror-ssh HOST:PORT (the mirror host's sshd), not '{parsed.GetValue(_mirrorSsh)}'");
        if (!HostKeyFingerprint.TryParse(parsed.GetValue(_hostKey), out _, out string problem))
            throw new ArgumentException($"--mirror-host-key: {problem}");
        return mode;
    }

    /// <summary>Makes the device's SSH key when missing and appends the reverse settings; returns the public key file, or null in direct mode.</summary>
    public string? Write(ParseResult parsed, string directory, StringBuilder config, Action<StringBuilder, string, string, string> set, Func<string, string> quote)
    {
        if (Check(parsed) == SessionMode.Direct)
            return null;
        HostPort.TryParse(parsed.GetValue(_mirrorSsh)!, out var host, out var port);
        var keyFile = Path.Combine(directory, "device_ssh_key");
        // The device's SSH key is made here and never leaves the device; the mirror gets its .pub.
        var key = MirrorKeyPair.LoadOrCreate(keyFile, "iotsync-device");
        set(config, "Who opens the sync session: this device dials the mirror host.", "iotsync.device.mode", "reverse");
        set(config, "The mirror host's sshd.", "iotsync.device.reverse.host", quote(host));
        set(config, "The mirror host's sshd port.", "iotsync.device.reverse.port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        set(config, "The mirror host's sync account.", "iotsync.device.reverse.user", quote(parsed.GetValue(_user) ?? "iotsync-sync"));
        set(config, "The mirror host's sshd key, pinned.", "iotsync.device.reverse.host-key", quote(HostKeyFingerprint.Parse(parsed.GetValue(_hostKey)!).Value));
        set(config, "This device's SSH key, made by init.", "iotsync.device.reverse.key-file", quote(key.PrivateKeyPath));
        return key.PrivateKeyPath + ".pub";
    }
}
