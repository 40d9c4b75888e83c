using System.Collections.Immutable;
using Akka.Configuration;
using IoTSync.Configuration;
using IoTSync.Logs;

namespace IoTSync.Device;

/// <summary>
/// Where the outcomes of device commands are kept beyond the node's life, and how to start the
/// runner (<c>iotsync-command-runner</c>) that writes them: one runner per command, in its own
/// session, which enforces the timeout and records the outcome durably whether or not the node is
/// still there to read it (issue 11, fault 6).
/// </summary>
/// <param name="Directory">The spool directory (the node's own: nothing else writes there).</param>
/// <param name="Runner">The runner's command line before its options: the executable, or the dotnet host and its dll.</param>
public sealed record CommandSpool(string Directory, ImmutableArray<string> Runner)
{
    public const string RunnerName = "iotsync-command-runner";

    /// <summary>The file names of a command's spool records.</summary>
    public static string NameOf(CommandRef command) => command.ToString();

    /// <summary>Reads <c>iotsync.device.commands.spool</c> and <c>.runner</c>; null when the spool is off (empty).</summary>
    public static CommandSpool? FromConfig(Config root)
    {
        var directory = root.OptionalString("iotsync.device.commands.spool");
        if (directory.Length == 0)
            return null;
        var runner = root.OptionalString("iotsync.device.commands.runner");
        return new CommandSpool(Path.GetFullPath(directory), runner.Length > 0 ? [runner] : BesideTheNode());
    }

    /// <summary>
    /// The runner built or published beside this assembly, started the way this process was: by
    /// the same dotnet host when the node runs as <c>dotnet iotsync-device.dll</c>, else as its own executable.
    /// </summary>
    public static ImmutableArray<string> BesideTheNode()
    {
        var here = AppContext.BaseDirectory;
        var native = Path.Combine(here, RunnerName);
        if (Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet")
            return [host, Path.Combine(here, RunnerName + ".dll")];
        return File.Exists(native) ? [native] : ["dotnet", Path.Combine(here, RunnerName + ".dll")];
    }
}
