using System.CommandLine;
using IoTSync.Cli;
using IoTSync.Mirror;
using IoTSync.MirrorApi.Resources;
using IoTSync.Model;
using IoTSync.Security;

namespace IoTSync.MirrorNode;

/// <summary><c>device disable|enable|rotate ID</c>: change what the running mirror admits from one device.</summary>
public static class DeviceAdminCommands
{
    public static Command Create(string defaultConfigFile)
    {
        var command = new Command("device", "Disable, enable or rotate the credentials of one enrolled device.");
        command.Subcommands.Add(Standing(defaultConfigFile, disable: true));
        command.Subcommands.Add(Standing(defaultConfigFile, disable: false));
        command.Subcommands.Add(Rotate(defaultConfigFile));
        return command;
    }

    private static Argument<string> DeviceArgument(Command command)
    {
        var argument = new Argument<string>("id") { Description = "The device id." };
        command.Arguments.Add(argument);
        return argument;
    }

    private static string Checked(string id) =>
        DeviceId.IsValid(id) ? id : throw new ArgumentException($"'{id}' is not a device id (1-64 of a-z, 0-9, '-', '_')");

    private static Command Standing(string defaultConfigFile, bool disable)
    {
        var command = disable
            ? new Command("disable", "Refuse the device from now on: its heartbeats are dropped, no session is opened to it, no new command is stored for it. Takes effect at its next heartbeat.")
            : new Command("enable", "Admit a disabled device again.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var device = DeviceArgument(command);
        var json = NodeCli.JsonOption(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var api = MirrorCommands.Api(parsed, config, defaultConfigFile);
            var reply = await api.SetDisabled(Checked(parsed.GetValue(device)!), disable, cancellationToken);
            if (parsed.GetValue(json))
                NodeCli.WriteJson(parsed.InvocationConfiguration.Output, reply);
            else
                parsed.InvocationConfiguration.Output.WriteLine($"{reply.Device} is {(reply.Disabled ? "disabled" : "enabled")}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Rotate(string defaultConfigFile)
    {
        var command = new Command("rotate", "Issue the device new credentials: a heartbeat key (written to --key-out, owner-only; install it as the device's heartbeat key file), a new mirror SSH key (its authorized_keys line is printed; install it for the sync account), and with --csr a new TLS certificate (the device's 'tls renew' request signed by the fleet CA and pinned; install it with 'tls install'). The old ones are honoured for iotsync.mirror.rotation-overlap, then refused.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var device = DeviceArgument(command);
        var keyOut = new Option<string>("--key-out") { Description = "Where to write the new heartbeat key (created with mode 0600; must not exist).", Required = true, HelpName = "FILE" };
        var from = new Option<string?>("--from") { Description = "The mirror's address as the device sees it, for from=\"...\" (default: iotsync.mirror.enrolment.outward-address).", HelpName = "ADDRESS" };
        var deviceCommand = new Option<string?>("--device-command") { Description = "The forced command (default: iotsync.mirror.enrolment.device-command).", HelpName = "COMMAND" };
        var csr = new Option<string?>("--csr") { Description = "The device's new certificate request ('iotsync-device tls renew' writes it): signed by the fleet CA and pinned as the device's certificate.", HelpName = "FILE" };
        var certificateOut = new Option<string?>("--certificate-out") { Description = "Where to write the new certificate (must not exist); with --csr.", HelpName = "FILE" };
        var json = NodeCli.JsonOption(command);
        foreach (var option in new Option[] { keyOut, from, deviceCommand, csr, certificateOut })
            command.Options.Add(option);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var id = Checked(parsed.GetValue(device)!);
            var file = parsed.GetValue(keyOut)!;
            if (File.Exists(file))
                throw new IOException($"--key-out: {file} exists; the new key is written to a new file only");
            if ((parsed.GetValue(csr) is null) != (parsed.GetValue(certificateOut) is null))
                throw new ArgumentException("--csr and --certificate-out go together");
            if (parsed.GetValue(csr) is { } requestFile && !File.Exists(requestFile))
                throw new IOException($"--csr: {requestFile} does not exist");
            if (parsed.GetValue(certificateOut) is { } certificateFile && File.Exists(certificateFile))
                throw new IOException($"--certificate-out: {certificateFile} exists; the new certificate is written to a new file only");
            // Signed here, pinned by the registry, written only once pinned: a refused rotation leaves no certificate behind.
            using var issued = parsed.GetValue(csr) is { } request
                ? FleetCaSettings.FromConfig(NodeCli.LoadConfig(parsed, config, defaultConfigFile)).SignDevice(File.ReadAllText(request), new DeviceId(id), DateTimeOffset.UtcNow)
                : null;
            var pin = issued is null ? null : CertificatePin.Of(issued);
            // Made here and sent to the mirror, so the key travels only towards the registry: no reply carries it.
            var key = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(IoTSync.Protocol.HeartbeatAuthenticator.MinimumKeyBytes));
            using var api = MirrorCommands.Api(parsed, config, defaultConfigFile);
            var reply = await api.Rotate(id, new RotateRequest(key, pin is null ? null : new CertificatePinResource(pin.Sha256, pin.NotAfterUnixMs),
                parsed.GetValue(from), parsed.GetValue(deviceCommand)), cancellationToken);
            WriteOwnerOnly(file, key + "\n");
            if (issued is not null)
                PemFiles.WriteNew(parsed.GetValue(certificateOut)!, issued.ExportCertificatePem(), ownerOnly: false);
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(json))
            {
                NodeCli.WriteJson(output, new
                {
                    device = reply.Device, keyFile = file, authorizedKeys = reply.AuthorizedKeys,
                    previousRefusedFromUnixMs = reply.PreviousRefusedFromUnixMs, certificate = reply.Certificate,
                    certificateRotated = pin is not null, certificateFile = pin is null ? null : parsed.GetValue(certificateOut),
                    certificateSha256 = pin?.Sha256, certificateNotAfterUnixMs = pin?.NotAfterUnixMs,
                });
                return ExitCodes.Ok;
            }
            var error = parsed.InvocationConfiguration.Error;
            error.WriteLine($"{Program.Name}: rotated {reply.Device}'s credentials; the previous ones are refused from {NodeCli.Time(reply.PreviousRefusedFromUnixMs)}");
            error.WriteLine($"{Program.Name}: the new heartbeat key is in {file}; install it as the device's heartbeat key file");
            error.WriteLine(pin is null
                ? $"{Program.Name}: the TLS certificate was not rotated (no --csr)"
                : $"{Program.Name}: the new TLS certificate is in {parsed.GetValue(certificateOut)}; install it on the device with 'iotsync-device tls install' ({reply.Certificate})");
            error.WriteLine($"{Program.Name}: add this line to the device's authorized_keys (and remove the old one):");
            output.WriteLine(reply.AuthorizedKeys);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Owner-only from creation: a key is never readable by others, not even for a moment.</summary>
    private static void WriteOwnerOnly(string path, string text)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("an owner-only key file needs Unix file permissions");
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }
}
