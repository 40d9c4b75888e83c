using System.CommandLine;
using IoTSync.Cli;
using IoTSync.Mirror;
using IoTSync.Model;

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
            var reply = await MirrorControlClient.Request<DisableReply>(MirrorCommands.Socket(parsed, config, defaultConfigFile),
                new DisableRequest(Checked(parsed.GetValue(device)!), disable), cancellationToken);
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
        var command = new Command("rotate", "Issue the device new credentials: a heartbeat key (written to --key-out, owner-only; install it as the device's heartbeat key file) and a new mirror SSH key (its authorized_keys line is printed; install it for the sync account). The old ones are honoured for iotsync.mirror.rotation-overlap, then refused.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var device = DeviceArgument(command);
        var keyOut = new Option<string>("--key-out") { Description = "Where to write the new heartbeat key (created with mode 0600; must not exist).", Required = true, HelpName = "FILE" };
        var from = new Option<string?>("--from") { Description = "The mirror's address as the device sees it, for from=\"...\" (default: iotsync.mirror.enrolment.outward-address).", HelpName = "ADDRESS" };
        var deviceCommand = new Option<string?>("--device-command") { Description = "The forced command (default: iotsync.mirror.enrolment.device-command).", HelpName = "COMMAND" };
        var json = NodeCli.JsonOption(command);
        foreach (var option in new Option[] { keyOut, from, deviceCommand })
            command.Options.Add(option);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var file = parsed.GetValue(keyOut)!;
            if (File.Exists(file))
                throw new IOException($"--key-out: {file} exists; the new key is written to a new file only");
            // Made here and sent to the mirror, so the key travels only towards the registry: no reply carries it.
            var key = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(IoTSync.Protocol.HeartbeatAuthenticator.MinimumKeyBytes));
            var reply = await MirrorControlClient.Request<RotateReply>(MirrorCommands.Socket(parsed, config, defaultConfigFile),
                new RotateRequest(Checked(parsed.GetValue(device)!), key, parsed.GetValue(from), parsed.GetValue(deviceCommand)), cancellationToken);
            WriteOwnerOnly(file, key + "\n");
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(json))
            {
                NodeCli.WriteJson(output, new
                {
                    device = reply.Device, keyFile = file, authorizedKeys = reply.AuthorizedKeysLine,
                    previousRefusedFromUnixMs = reply.PreviousRefusedFromUnixMs, certificate = reply.Certificate,
                });
                return ExitCodes.Ok;
            }
            var error = parsed.InvocationConfiguration.Error;
            error.WriteLine($"{Program.Name}: rotated {reply.Device}'s credentials; the previous ones are refused from {NodeCli.Time(reply.PreviousRefusedFromUnixMs)}");
            error.WriteLine($"{Program.Name}: the new heartbeat key is in {file}; install it as the device's heartbeat key file");
            if (reply.Certificate.Length > 0)
                error.WriteLine($"{Program.Name}: certificate: {reply.Certificate}");
            error.WriteLine($"{Program.Name}: add this line to the device's authorized_keys (and remove the old one):");
            output.WriteLine(reply.AuthorizedKeysLine);
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
