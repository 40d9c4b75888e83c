using System.CommandLine;
using IoTSync.Cli;
using IoTSync.Inspection;

namespace IoTSync.MirrorNode;

/// <summary>
/// <c>iotsync-mirror</c>: the mirror node's command line. Each command group is added to the root;
/// <c>journal</c> inspects the mirror's journal (the node's own commands arrive with the node issue).
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
        root.Subcommands.Add(JournalCommands.Create(NodeRole.Mirror, DefaultConfigFile));
        return root;
    }
}
