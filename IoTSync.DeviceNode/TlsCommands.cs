using System.CommandLine;
using IoTSync.Cli;
using IoTSync.Device;
using IoTSync.Security;

namespace IoTSync.DeviceNode;

/// <summary>
/// <c>tls renew</c> and <c>tls install FILE</c>: the device's side of a certificate rotation. Its new key
/// is made here and never leaves it; the mirror's <c>device rotate --csr</c> signs the request and pins
/// the certificate; the node reads its key and certificate at start.
/// </summary>
public static class TlsCommands
{
    public static Command Create(string defaultConfigFile)
    {
        var command = new Command("tls", "The device's TLS key and certificate: renew them for a rotation.");
        command.Subcommands.Add(Renew(defaultConfigFile));
        command.Subcommands.Add(Install(defaultConfigFile));
        return command;
    }

    private static Command Renew(string defaultConfigFile)
    {
        var command = new Command("renew", "Make a new TLS key (owner-only, beside the current one, which serves until the new certificate is installed) and its certificate request, for the mirror's 'device rotate ID --csr FILE'.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        command.SetAction(parsed =>
        {
            var loaded = NodeCli.LoadConfig(parsed, config, defaultConfigFile);
            var tls = Enabled(loaded);
            var request = DeviceCredentials.Renew(DeviceNodeSettings.FromConfig(loaded).Device, tls.Key);
            var output = parsed.InvocationConfiguration.Output;
            output.WriteLine($"certificate request {request} (give it to the mirror's device rotate --csr; the new key {DeviceCredentials.PendingKey(tls.Key)} stays here)");
            output.WriteLine($"then install the certificate it gives you with: {Program.Name} tls install FILE");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Install(string defaultConfigFile)
    {
        var command = new Command("install", "Install the certificate the mirror's 'device rotate --csr' wrote: checked against the pending key, the device id and the fleet CA, then the key and the certificate are swapped in. Restart the node to use them.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var file = new Argument<string>("file") { Description = "The new certificate (PEM)." };
        command.Arguments.Add(file);
        command.SetAction(parsed =>
        {
            var loaded = NodeCli.LoadConfig(parsed, config, defaultConfigFile);
            var tls = Enabled(loaded);
            var certificate = parsed.GetValue(file)!;
            if (!File.Exists(certificate))
                throw new IOException($"{certificate} does not exist");
            DeviceCredentials.Install(DeviceNodeSettings.FromConfig(loaded).Device, File.ReadAllText(certificate), tls.Key, tls.Certificate, tls.CaCertificate);
            parsed.InvocationConfiguration.Output.WriteLine($"installed {tls.Certificate} with its key {tls.Key}; restart the node to use them");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static TlsSettings Enabled(Akka.Configuration.Config loaded) =>
        TlsSettings.FromConfig(loaded) is { Enabled: true } tls ? tls : throw new ArgumentException("iotsync.tls.enabled is off: this device has no TLS certificate to renew");
}
