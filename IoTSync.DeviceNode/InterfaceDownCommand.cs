using System.CommandLine;
using IoTSync.Cli;
using IoTSync.Device;

namespace IoTSync.DeviceNode;

/// <summary>
/// <c>iotsync-device interface down</c>: the device's resting state without a node — the interface
/// down and, under <c>network.firewall = on</c>, the window firewall's table loaded with no one
/// admitted. The systemd units run it before the network comes up at boot and after the node stopped
/// for any reason (a SIGKILL, the watchdog), so a device is dark whenever its node does not run.
/// </summary>
public static class InterfaceDownCommand
{
    public static Command Create(string defaultConfigFile)
    {
        var group = new Command("interface", "The device's network interface without the node.");
        var down = new Command("down", "Take the interface down and close the window firewall, as the node does at start and stop (for the systemd units: at boot and after the node stopped for any reason).");
        var config = NodeCli.ConfigOption(down, defaultConfigFile);
        down.SetAction(async (parsed, cancellationToken) =>
        {
            var settings = DeviceNodeSettings.FromConfig(NodeCli.LoadConfig(parsed, config, defaultConfigFile));
            await settings.CreateInterface().Down(cancellationToken);
            parsed.InvocationConfiguration.Output.WriteLine($"{Program.Name}: interface down (network {settings.Mode.ToString().ToLowerInvariant()})");
            return ExitCodes.Ok;
        });
        group.Subcommands.Add(down);
        return group;
    }
}
