using System.CommandLine;
using IoTSync.Cli;
using IoTSync.Mirror;
using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Resources;
using IoTSync.Model;
using IoTSync.Security;

namespace IoTSync.MirrorNode;

/// <summary>
/// Reverse mode at the mirror's command line: <c>enroll --mode reverse --device-key-file FILE</c> (the
/// device dials the mirror host; the line printed is for the mirror host's sync account) and
/// <c>authorized-keys</c>, every enrolled, enabled reverse device's line, to regenerate that file.
/// </summary>
public sealed class ReverseEnrolment
{
    private readonly Option<string> _mode;
    private readonly Option<string?> _deviceKey;

    private ReverseEnrolment(Option<string> mode, Option<string?> deviceKey) => (_mode, _deviceKey) = (mode, deviceKey);

    /// <summary>Adds <c>--mode</c> and <c>--device-key-file</c> to <c>enroll</c>.</summary>
    public static ReverseEnrolment AddOptions(Command enroll)
    {
        var mode = new Option<string>("--mode") { Description = "direct (the mirror dials the device's sshd) or reverse (the device dials the mirror host's sshd).", DefaultValueFactory = _ => "direct" };
        var deviceKey = new Option<string?>("--device-key-file") { Description = "Reverse mode: the device's SSH public key (device_ssh_key.pub, written by 'iotsync-device init --mode reverse').", HelpName = "FILE" };
        enroll.Options.Add(mode);
        enroll.Options.Add(deviceKey);
        return new ReverseEnrolment(mode, deviceKey);
    }

    public bool IsReverse(ParseResult parsed) =>
        SessionModes.TryParse(parsed.GetValue(_mode), out var mode)
            ? mode == SessionMode.Reverse
            : throw new ArgumentException($"--mode: '{parsed.GetValue(_mode)}' is not direct or reverse");

    /// <summary>Enrols a reverse device at the running node and prints the mirror host's authorized_keys line for it.</summary>
    public async Task<int> Enroll(ParseResult parsed, MirrorApiClient client, Option<string> device, Option<string> heartbeatKey, Option<string?> csr,
        Option<string?> certificateOut, Option<bool> json, Func<FleetCaSettings> fleetCa, Option[] directOnly, CancellationToken cancellationToken)
    {
        using var api = client;
        if (directOnly.FirstOrDefault(o => parsed.GetResult(o) is { Implicit: false }) is { } given)
            throw new ArgumentException($"{given.Name} is for direct mode; a reverse device dials the mirror host (give --device-key-file)");
        var id = parsed.GetValue(device)!;
        if (!DeviceId.IsValid(id))
            throw new ArgumentException($"--device: '{id}' is not a device id (1-64 of a-z, 0-9, '-', '_')");
        var keyFile = parsed.GetValue(_deviceKey) ?? throw new ArgumentException("--mode reverse needs --device-key-file (the device's device_ssh_key.pub)");
        if (!File.Exists(keyFile))
            throw new IOException($"--device-key-file: {keyFile} does not exist");
        var heartbeatKeyFile = parsed.GetValue(heartbeatKey)!;
        if (!File.Exists(heartbeatKeyFile))
            throw new IOException($"--heartbeat-key-file: {heartbeatKeyFile} does not exist");
        if ((parsed.GetValue(csr) is null) != (parsed.GetValue(certificateOut) is null))
            throw new ArgumentException("--csr and --certificate-out go together");
        var issued = parsed.GetValue(csr) is { } request
            ? fleetCa().IssueDevice(File.ReadAllText(request), new DeviceId(id), parsed.GetValue(certificateOut)!, DateTimeOffset.UtcNow)
            : ((string Certificate, string Ca, CertificatePin Pin)?)null;
        var enrolled = await api.Enrol(new EnrolRequest(id, null, 0, null, null, File.ReadAllText(heartbeatKeyFile).Trim(),
            issued?.Pin is { } pin ? new CertificatePinResource(pin.Sha256, pin.NotAfterUnixMs) : null, Mode: "reverse",
            DeviceSshKey: File.ReadAllText(keyFile).Trim()), cancellationToken);
        var output = parsed.InvocationConfiguration.Output;
        if (parsed.GetValue(json))
            NodeCli.WriteJson(output, new { enrolled.Device, enrolled.Mode, enrolled.AuthorizedKeys, certificate = issued?.Certificate, fleetCa = issued?.Ca, enrolled.CertificateSha256 });
        else
        {
            if (issued is { } written)
                parsed.InvocationConfiguration.Error.WriteLine($"{Program.Name}: {id}'s certificate {written.Certificate} and the fleet CA {written.Ca}: install them on the device (iotsync.tls)");
            parsed.InvocationConfiguration.Error.WriteLine($"{Program.Name}: enrolled {id} in reverse mode; add this line to the authorized_keys of the mirror host's sync account:");
            output.WriteLine(enrolled.AuthorizedKeys);
        }
        return ExitCodes.Ok;
    }

    /// <summary><c>authorized-keys</c>: the mirror host's authorized_keys for every enrolled, enabled reverse device.</summary>
    public static Command AuthorizedKeys(string defaultConfigFile)
    {
        var command = new Command("authorized-keys", "Print the mirror host's authorized_keys for every enrolled, enabled reverse-mode device (each key forced to the relay for its own device id): to regenerate the sync account's file.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var api = MirrorCommands.Api(parsed, config, defaultConfigFile);
            var keys = await api.ReverseAuthorizedKeys(cancellationToken);
            foreach (var line in keys.Lines)
                parsed.InvocationConfiguration.Output.WriteLine(line);
            return ExitCodes.Ok;
        });
        return command;
    }
}
