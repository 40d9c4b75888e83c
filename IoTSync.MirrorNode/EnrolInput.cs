using System.CommandLine;
using IoTSync.Enrolment;
using IoTSync.Mirror.Ssh;
using IoTSync.Model;

namespace IoTSync.MirrorNode;

/// <summary>
/// What <c>enroll</c> sends for one device, from its flags or from an enrolment file (<c>--file</c>,
/// which <c>iotsync-device init</c> writes). Beside <c>--file</c>, the flags for what only the device
/// knows (<c>--device</c>, <c>--heartbeat-key-file</c>, <c>--csr</c>) are refused: the file is the
/// device's word on them; <c>--ssh</c>, <c>--ssh-user</c> and <c>--host-key</c> fill in what the file
/// lacks or override it (the mirror may reach the device by a name or a forwarded port the device does not know).
/// </summary>
/// <param name="Device">The device id.</param>
/// <param name="Mode">Who opens the session: the mirror (direct) or the device (reverse).</param>
/// <param name="SshHost">The device's sshd host (direct).</param>
/// <param name="SshPort">The device's sshd port (direct).</param>
/// <param name="SshUser">The account the mirror logs in as (direct).</param>
/// <param name="HostKey">The device's host key fingerprint (direct).</param>
/// <param name="DeviceSshKey">The device's SSH public key line it dials the mirror host with (reverse).</param>
/// <param name="HeartbeatKey">The heartbeat key (hex).</param>
/// <param name="CertificateRequest">The device's certificate request (PEM), to be signed and pinned; null for none.</param>
internal sealed record EnrolInput(string Device, SessionMode Mode, string? SshHost, int SshPort, string? SshUser, string? HostKey, string? DeviceSshKey,
    string HeartbeatKey, string? CertificateRequest)
{
    /// <summary>The flags <c>enroll</c> reads the device's details from.</summary>
    internal sealed record Options(
        Option<string?> File, Option<string?> Device, Option<string?> Ssh, Option<string?> SshUser, Option<string?> HostKey,
        Option<string?> HeartbeatKeyFile, Option<string?> Csr, Option<string?> CertificateOut, Option<string> Mode, Option<string?> DeviceKeyFile);

    /// <summary>The device's details from the flags or the file, every value checked; nothing is written and no node is asked.</summary>
    public static EnrolInput Resolve(ParseResult parsed, Options options) =>
        parsed.GetValue(options.File) is { } file ? FromFile(parsed, options, file) : FromFlags(parsed, options);

    private static EnrolInput FromFlags(ParseResult parsed, Options options)
    {
        if (!SessionModes.TryParse(parsed.GetValue(options.Mode), out var mode))
            throw new ArgumentException($"--mode: '{parsed.GetValue(options.Mode)}' is not direct or reverse");
        if (mode == SessionMode.Reverse)
            return ReverseFromFlags(parsed, options);
        if (parsed.GetValue(options.DeviceKeyFile) is not null)
            throw new ArgumentException("--device-key-file is for --mode reverse (the device dials the mirror host)");
        var ssh = Required(parsed, options.Ssh);
        var user = Required(parsed, options.SshUser);
        var hostKey = Required(parsed, options.HostKey);
        var id = Required(parsed, options.Device);
        var keyFile = Required(parsed, options.HeartbeatKeyFile);
        var (host, port) = Endpoint("--ssh", ssh);
        CheckHostKey("--host-key", hostKey);
        CheckDevice("--device", id);
        var (heartbeatKey, request) = KeyAndRequest(parsed, options, keyFile);
        return new EnrolInput(id, SessionMode.Direct, host, port, user, hostKey, null, heartbeatKey, request);
    }

    /// <summary>The heartbeat key from <paramref name="keyFile"/> and the certificate request <c>--csr</c> names (with <c>--certificate-out</c>), or null.</summary>
    private static (string HeartbeatKey, string? Request) KeyAndRequest(ParseResult parsed, Options options, string keyFile)
    {
        if (!File.Exists(keyFile))
            throw new IOException($"--heartbeat-key-file: {keyFile} does not exist");
        if ((parsed.GetValue(options.Csr) is null) != (parsed.GetValue(options.CertificateOut) is null))
            throw new ArgumentException("--csr and --certificate-out go together");
        string? request = null;
        if (parsed.GetValue(options.Csr) is { } requestFile)
            request = File.Exists(requestFile) ? File.ReadAllText(requestFile) : throw new IOException($"--csr: {requestFile} does not exist");
        return (File.ReadAllText(keyFile).Trim(), request);
    }

    private static EnrolInput ReverseFromFlags(ParseResult parsed, Options options)
    {
        foreach (var option in new[] { options.Ssh, options.SshUser, options.HostKey })
            if (parsed.GetValue(option) is not null)
                throw new ArgumentException($"{option.Name} is for direct mode; a reverse device dials the mirror host (give --device-key-file)");
        var id = Required(parsed, options.Device);
        CheckDevice("--device", id);
        var deviceKeyFile = parsed.GetValue(options.DeviceKeyFile)
                            ?? throw new ArgumentException("--mode reverse needs --device-key-file (the device's device_ssh_key.pub)");
        if (!File.Exists(deviceKeyFile))
            throw new IOException($"--device-key-file: {deviceKeyFile} does not exist");
        var (heartbeatKey, request) = KeyAndRequest(parsed, options, Required(parsed, options.HeartbeatKeyFile));
        return new EnrolInput(id, SessionMode.Reverse, null, 0, null, null, File.ReadAllText(deviceKeyFile).Trim(), heartbeatKey, request);
    }

    private static EnrolInput FromFile(ParseResult parsed, Options options, string path)
    {
        foreach (var (option, what) in new[] { (options.Device, "the device id"), (options.HeartbeatKeyFile, "the heartbeat key"), (options.Csr, "the certificate request"),
                     (options.DeviceKeyFile, "the device's SSH key") })
            if (parsed.GetValue(option) is not null)
                throw new ArgumentException($"{option.Name} and --file do not go together: the enrolment file holds {what}");
        if (parsed.GetResult(options.Mode) is { Implicit: false })
            throw new ArgumentException("--mode and --file do not go together: the enrolment file holds the mode");
        if (!File.Exists(path))
            throw new IOException($"--file: {path} does not exist");
        EnrolmentFile file;
        try
        {
            file = EnrolmentFile.Read(path);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"--file: {path}: {e.Message}");
        }
        if (file.CertificateRequest is null && parsed.GetValue(options.CertificateOut) is not null)
            throw new ArgumentException($"--certificate-out: {path} holds no certificate request to sign");
        if (file.CertificateRequest is not null && parsed.GetValue(options.CertificateOut) is null)
            throw new ArgumentException($"--file: {path} holds a certificate request: give --certificate-out DIR for the signed certificate");
        if (file.Mode == EnrolmentMode.Reverse)
        {
            foreach (var option in new[] { options.Ssh, options.SshUser, options.HostKey })
                if (parsed.GetValue(option) is not null)
                    throw new ArgumentException($"{option.Name} is for direct mode; {path} is for {file.Device} in reverse mode (the device dials the mirror host)");
            var deviceKey = file.DeviceSshPublicKey ?? throw new ArgumentException($"--file: {path} is for reverse mode but holds no device SSH key");
            return new EnrolInput(file.Device.Value, SessionMode.Reverse, null, 0, null, null, deviceKey, file.HeartbeatKey, file.CertificateRequest);
        }
        var ssh = parsed.GetValue(options.Ssh) ?? file.SshAddress
                  ?? throw new ArgumentException($"--file: {path} has no SSH address for {file.Device}: give --ssh HOST:PORT");
        var user = parsed.GetValue(options.SshUser) ?? file.SshUser
                   ?? throw new ArgumentException($"--file: {path} has no SSH user for {file.Device}: give --ssh-user USER");
        var hostKey = parsed.GetValue(options.HostKey) ?? file.HostKey?.Value
                      ?? throw new ArgumentException($"--file: {path} has no SSH host key for {file.Device}: give --host-key FINGERPRINT");
        var (host, port) = Endpoint("--ssh", ssh);
        CheckHostKey("--host-key", hostKey);
        return new EnrolInput(file.Device.Value, SessionMode.Direct, host, port, user, hostKey, null, file.HeartbeatKey, file.CertificateRequest);
    }

    private static string Required(ParseResult parsed, Option<string?> option) =>
        parsed.GetValue(option) ?? throw new ArgumentException($"Option '{option.Name}' is required (or give --file).");

    private static (string Host, int Port) Endpoint(string name, string text) =>
        Configuration.HostPort.TryParse(text, out var host, out var port) ? (host, port) : throw new ArgumentException($"{name}: '{text}' is not HOST:PORT");

    private static void CheckHostKey(string name, string text)
    {
        if (!HostKeyFingerprint.TryParse(text, out _, out string problem))
            throw new ArgumentException($"{name}: {problem}");
    }

    private static void CheckDevice(string name, string id)
    {
        if (!DeviceId.IsValid(id))
            throw new ArgumentException($"{name}: '{id}' is not a device id (1-64 of a-z, 0-9, '-', '_')");
    }
}
