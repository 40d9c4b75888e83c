using System.CommandLine;
using IoTSync.Cli;
using IoTSync.Inspection;

namespace IoTSync.DeviceNode;

/// <summary>
/// <c>iotsync-device</c>: the device node's command line. Each command group is added to the root;
/// <c>journal</c> inspects the device's journal (the node's own commands arrive with the node issue).
/// </summary>
public static class Program
{
    public const string Name = "iotsync-device";

    /// <summary>The device's configuration shipped beside the executable (read over shared.hocon there).</summary>
    public static string DefaultConfigFile => Path.Combine(AppContext.BaseDirectory, "hocon", "device.hocon");

    public static Task<int> Main(string[] args) => CommandLineHost.Run(CreateRoot(), Name, args);

    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("IoTSync device node: keeps the device's log and syncs it with its mirror.");
        root.Subcommands.Add(JournalCommands.Create(NodeRole.Device, DefaultConfigFile));
        return root;
    }
}
