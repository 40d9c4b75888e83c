using System.CommandLine;
using IoTSync.Cli;
using IoTSync.Cli.Backup;
using IoTSync.Cli.Journal;
using IoTSync.Inspection;

namespace IoTSync.DeviceNode;

/// <summary>
/// <c>iotsync-device</c>: the device node's command line. Each command group is added to the root;
/// <c>run</c> starts the node; <c>exec</c>, <c>status</c> and <c>sync-endpoint</c> talk to it; <c>journal</c> inspects its journal.
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
        foreach (var command in DeviceCommands.Create(DefaultConfigFile))
            root.Subcommands.Add(command);
        root.Subcommands.Add(JournalCommands.Create(NodeRole.Device, DefaultConfigFile));
        root.Subcommands.Add(InterfaceDownCommand.Create(DefaultConfigFile));
        foreach (var command in BackupCommands.Create(NodeRole.Device, DefaultConfigFile))
            root.Subcommands.Add(command);
        return root;
    }
}
