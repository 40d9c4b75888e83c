using System.CommandLine;
using IoTSync.Cli;
using IoTSync.Cli.Backup;
using IoTSync.Cli.Journal;
using IoTSync.Inspection;

namespace IoTSync.MirrorNode;

/// <summary>
/// <c>iotsync-mirror</c>: the mirror node's command line. Each command group is added to the root;
/// <c>run</c> starts the node; enroll, exec, result, cancel, devices and state talk to it; <c>journal</c> inspects its journal.
/// </summary>
public static class Program
{
    public const string Name = "iotsync-mirror";

    /// <summary>The mirror's configuration shipped beside the executable (read over shared.hocon there).</summary>
    public static string DefaultConfigFile => Path.Combine(AppContext.BaseDirectory, "hocon", "mirror.hocon");

    public static Task<int> Main(string[] args) => CommandLineHost.Run(CreateRoot(), Name, args);

    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("IoTSync mirror node: holds each device's mirrored state and its journal.");
        foreach (var command in MirrorCommands.Create(DefaultConfigFile))
            root.Subcommands.Add(command);
        root.Subcommands.Add(JournalCommands.Create(NodeRole.Mirror, DefaultConfigFile));
        foreach (var command in BackupCommands.Create(NodeRole.Mirror, DefaultConfigFile))
            root.Subcommands.Add(command);
        return root;
    }
}
