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
    private ReverseEnrolment(Option<string> mode, Option<string?> deviceKeyFile) => (Mode, DeviceKeyFile) = (mode, deviceKeyFile);

    /// <summary><c>--mode direct|reverse</c>.</summary>
    public Option<string> Mode { get; }

    /// <summary><c>--device-key-file</c>: the device's SSH public key (reverse).</summary>
    public Option<string?> DeviceKeyFile { get; }

    /// <summary>Adds <c>--mode</c> and <c>--device-key-file</c> to <c>enroll</c> (<see cref="EnrolInput"/> reads them).</summary>
    public static ReverseEnrolment AddOptions(Command enroll)
    {
        var mode = new Option<string>("--mode") { Description = "direct (the mirror dials the device's sshd) or reverse (the device dials the mirror host's sshd).", DefaultValueFactory = _ => "direct" };
        var deviceKey = new Option<string?>("--device-key-file") { Description = "Reverse mode: the device's SSH public key (device_ssh_key.pub, written by 'iotsync-device init --mode reverse').", HelpName = "FILE" };
        enroll.Options.Add(mode);
        enroll.Options.Add(deviceKey);
        return new ReverseEnrolment(mode, deviceKey);
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
