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
/// <param name="SshHost">The device's sshd host.</param>
/// <param name="SshPort">The device's sshd port.</param>
/// <param name="SshUser">The account the mirror logs in as.</param>
/// <param name="HostKey">The device's host key fingerprint.</param>
/// <param name="HeartbeatKey">The heartbeat key (hex).</param>
/// <param name="CertificateRequest">The device's certificate request (PEM), to be signed and pinned; null for none.</param>
internal sealed record EnrolInput(string Device, string SshHost, int SshPort, string SshUser, string HostKey, string HeartbeatKey, string? CertificateRequest)
{
    /// <summary>The flags <c>enroll</c> reads the device's details from.</summary>
    internal sealed record Options(
        Option<string?> File, Option<string?> Device, Option<string?> Ssh, Option<string?> SshUser, Option<string?> HostKey,
        Option<string?> HeartbeatKeyFile, Option<string?> Csr, Option<string?> CertificateOut);

    /// <summary>The device's details from the flags or the file, every value checked; nothing is written and no node is asked.</summary>
    public static EnrolInput Resolve(ParseResult parsed, Options options) =>
        parsed.GetValue(options.File) is { } file ? FromFile(parsed, options, file) : FromFlags(parsed, options);

    private static EnrolInput FromFlags(ParseResult parsed, Options options)
    {
        var ssh = Required(parsed, options.Ssh);
        var user = Required(parsed, options.SshUser);
        var hostKey = Required(parsed, options.HostKey);
        var id = Required(parsed, options.Device);
        var keyFile = Required(parsed, options.HeartbeatKeyFile);
        var (host, port) = Endpoint("--ssh", ssh);
        CheckHostKey("--host-key", hostKey);
        CheckDevice("--device", id);
        if (!File.Exists(keyFile))
            throw new IOException($"--heartbeat-key-file: {keyFile} does not exist");
        if ((parsed.GetValue(options.Csr) is null) != (parsed.GetValue(options.CertificateOut) is null))
            throw new ArgumentException("--csr and --certificate-out go together");
        string? request = null;
        if (parsed.GetValue(options.Csr) is { } requestFile)
            request = File.Exists(requestFile) ? File.ReadAllText(requestFile) : throw new IOException($"--csr: {requestFile} does not exist");
        return new EnrolInput(id, host, port, user, hostKey, File.ReadAllText(keyFile).Trim(), request);
    }

    private static EnrolInput FromFile(ParseResult parsed, Options options, string path)
    {
        foreach (var (option, what) in new[] { (options.Device, "the device id"), (options.HeartbeatKeyFile, "the heartbeat key"), (options.Csr, "the certificate request") })
            if (parsed.GetValue(option) is not null)
                throw new ArgumentException($"{option.Name} and --file do not go together: the enrolment file holds {what}");
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
        // Reverse mode has its own registry fields (the device's SSH key, no address or host key): enrolled once the mirror knows the mode.
        if (file.Mode == EnrolmentMode.Reverse)
            throw new ArgumentException($"--file: {path} is for {file.Device} in reverse mode, which this mirror cannot enrol yet; only direct");
        var ssh = parsed.GetValue(options.Ssh) ?? file.SshAddress
                  ?? throw new ArgumentException($"--file: {path} has no SSH address for {file.Device}: give --ssh HOST:PORT");
        var user = parsed.GetValue(options.SshUser) ?? file.SshUser
                   ?? throw new ArgumentException($"--file: {path} has no SSH user for {file.Device}: give --ssh-user USER");
        var hostKey = parsed.GetValue(options.HostKey) ?? file.HostKey?.Value
                      ?? throw new ArgumentException($"--file: {path} has no SSH host key for {file.Device}: give --host-key FINGERPRINT");
        var (host, port) = Endpoint("--ssh", ssh);
        CheckHostKey("--host-key", hostKey);
        if (file.CertificateRequest is null && parsed.GetValue(options.CertificateOut) is not null)
            throw new ArgumentException($"--certificate-out: {path} holds no certificate request to sign");
        if (file.CertificateRequest is not null && parsed.GetValue(options.CertificateOut) is null)
            throw new ArgumentException($"--file: {path} holds a certificate request: give --certificate-out DIR for the signed certificate");
        return new EnrolInput(file.Device.Value, host, port, user, hostKey, file.HeartbeatKey, file.CertificateRequest);
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
