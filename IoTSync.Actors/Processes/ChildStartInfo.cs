using System.Diagnostics;

namespace IoTSync.Processes;

/// <summary>
/// How a command's process is started, in the node and in <c>iotsync-command-runner</c> alike (which
/// compiles this file too): no shell, every stream redirected, the arguments passed one by one.
/// </summary>
internal static class ChildStartInfo
{
    public static ProcessStartInfo For(IReadOnlyList<string> argv)
    {
        var start = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in argv.Skip(1))
            start.ArgumentList.Add(argument);
        return start;
    }
}
