using System.CommandLine;
using IoTSync.Configuration;
using IoTSync.Enrolment;
using IoTSync.Mirror.Ssh;
using IoTSync.Model;

namespace IoTSync.DeviceNode;

/// <summary>
/// What <c>init</c> adds for enrolment without hand-copying: the options naming the device's SSH side
/// as the mirror sees it, and the owner-only <see cref="EnrolmentFile"/> it writes beside the configuration.
/// </summary>
public sealed class DeviceEnrolment
{
    /// <summary>Where OpenSSH keeps the host key sshd offers first; read when <c>--host-key-file</c> is not given.</summary>
    public const string DefaultHostKeyFile = "/etc/ssh/ssh_host_ed25519_key.pub";

    private readonly Option<string?> _ssh = new("--ssh") { Description = "The device's SSH server as the mirror reaches it, HOST:PORT, for the enrolment file (enroll --ssh may give or change it).", HelpName = "HOST:PORT" };
    private readonly Option<string?> _sshUser = new("--ssh-user") { Description = "The account the mirror logs in as (the sync account), for the enrolment file.", HelpName = "USER" };
    private readonly Option<string?> _hostKeyFile = new("--host-key-file") { Description = $"The device's SSH host public key, whose fingerprint goes in the enrolment file. Default: {DefaultHostKeyFile} when readable.", HelpName = "FILE" };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public DeviceEnrolment(Command command)
    {
        command.Options.Add(_ssh);
        command.Options.Add(_sshUser);
        command.Options.Add(_hostKeyFile);
    }

    /// <summary>The options' values checked, before init writes anything; the host key read (null, with a note, when the default is not there).</summary>
    public (HostKeyFingerprint? HostKey, string? Note) Check(ParseResult parsed)
    {
        if (parsed.GetValue(_ssh) is { } ssh && !HostPort.TryParse(ssh, out _, out _))
            throw new ArgumentException($"--ssh: '{ssh}' is not HOST:PORT");
        if (parsed.GetValue(_sshUser) is { } user && (user.Length == 0 || user.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
            throw new ArgumentException($"--ssh-user: '{user}' is not an account name");
        var given = parsed.GetValue(_hostKeyFile);
        var file = given ?? DefaultHostKeyFile;
        string line;
        try
        {
            line = File.ReadAllText(file);
        }
        catch (Exception e) when (given is null && e is IOException or UnauthorizedAccessException)
        {
            return (null, $"no SSH host key read from {file} ({e.Message}); give it to enroll with --host-key, or run init again with --host-key-file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"--host-key-file: cannot read {file}: {e.Message}", e);
        }
        try
        {
            return (SshPublicKeyLine.Fingerprint(line), null);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"--host-key-file: {file}: {e.Message}");
        }
    }

    /// <summary>
    /// Writes <c>DIR/enrol-ID.json</c> (0600): in reverse mode when <paramref name="devicePublicKeyFile"/> (the key
    /// the device dials the mirror host with) is given, else in direct mode; its path.
    /// </summary>
    public string Write(ParseResult parsed, string directory, DeviceId device, HostKeyFingerprint? hostKey, string heartbeatKeyFile, string requestFile,
        string? devicePublicKeyFile = null)
    {
        var reverse = devicePublicKeyFile is not null;
        var file = new EnrolmentFile(device, reverse ? EnrolmentMode.Reverse : EnrolmentMode.Direct,
            reverse ? null : parsed.GetValue(_ssh), reverse ? null : parsed.GetValue(_sshUser), reverse ? null : hostKey,
            DeviceSshPublicKey: reverse ? File.ReadAllText(devicePublicKeyFile!).Trim() : null,
            File.ReadAllText(heartbeatKeyFile).Trim(), File.Exists(requestFile) ? File.ReadAllText(requestFile) : null);
        var path = Path.Combine(directory, EnrolmentFile.FileName(device));
        file.Write(path);
        return path;
    }
}
