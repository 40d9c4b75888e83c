using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using Akka.Configuration;
using IoTSync.Inspection;

namespace IoTSync.Cli;

/// <summary>Exit codes every IoTSync command uses.</summary>
public static class ExitCodes
{
    /// <summary>Done; for a check: everything holds.</summary>
    public const int Ok = 0;

    /// <summary>A check ran and found problems (they are in the output).</summary>
    public const int Problems = 1;

    /// <summary>The command could not run: bad arguments, a missing file, an unreadable database.</summary>
    public const int Error = 2;

    /// <summary>A device command's result asked for is not there yet (still pending or delivered).</summary>
    public const int NotResolved = 3;

    /// <summary>A device command expired before it ran, or was cancelled.</summary>
    public const int ExpiredOrCancelled = 124;

    /// <summary>A device command failed without an exit code of its own (it could not start, timed out, or was interrupted).</summary>
    public const int FailedWithoutExitCode = 125;

    /// <summary>A device command was refused (not on the device's allow list).</summary>
    public const int Refused = 126;

    /// <summary>
    /// The exit codes of a command that runs or waits for a device command, for its <c>--help</c>: the
    /// device's <c>exec</c>, and with <paramref name="mayBePending"/> the mirror's <c>exec --wait</c> and <c>result</c>.
    /// </summary>
    public static string DeviceCommandHelp(bool mayBePending) =>
        "Exit codes: the device command's own when it ran; " + (mayBePending ? "3 not resolved yet; " : "") + "124 expired or cancelled; " +
        "125 failed without an exit code (could not start, timed out, interrupted); 126 refused (not allowed on the device); " +
        "2 this command could not run (bad arguments, no node running).";
}

/// <summary>
/// Runs a node's command line (System.CommandLine): <c>--help</c> on every command, and every
/// error — a parse error, a missing file, anything a command throws — as one line on stderr,
/// <c>PROGRAM: what went wrong</c>, with exit code <see cref="ExitCodes.Error"/>, never a stack trace.
/// </summary>
public static class CommandLineHost
{
    public static async Task<int> Run(RootCommand root, string programName, string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        try
        {
            var parsed = root.Parse(args);
            if (parsed.Action is not HelpAction && parsed.Errors.Count > 0)
            {
                stderr.WriteLine($"{programName}: {ParseErrorLine(parsed, programName)}");
                return ExitCodes.Error;
            }
            return await parsed.InvokeAsync(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                Output = stdout,
                Error = stderr,
            });
        }
        catch (Exception e) when (e is InspectionException or ConfigurationException or IOException or UnauthorizedAccessException
                                       or Control.ControlSocketException or System.Net.Http.HttpRequestException or ArgumentException or TimeoutException or System.Security.Cryptography.CryptographicException)
        {
            stderr.WriteLine($"{programName}: {OneLine(e.Message)}");
            return ExitCodes.Error;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine($"{programName}: cancelled");
            return ExitCodes.Error;
        }
        catch (Exception e)
        {
            var inner = e.GetBaseException();
            stderr.WriteLine($"{programName}: unexpected {inner.GetType().Name}: {OneLine(inner.Message)}");
            return ExitCodes.Error;
        }
    }

    /// <summary>
    /// The parse error worth reading: an unknown word before a missing one, and for a command
    /// group called alone, the commands it has.
    /// </summary>
    private static string ParseErrorLine(ParseResult parsed, string programName)
    {
        var command = parsed.CommandResult.Command;
        var path = string.Join(' ', Path(parsed.CommandResult).Prepend(programName));
        var unknown = parsed.Errors.FirstOrDefault(e => parsed.UnmatchedTokens.Any(t => e.Message.Contains($"'{t}'", StringComparison.Ordinal)));
        string message;
        if (unknown is not null)
            message = unknown.Message;
        else if (command.Subcommands.Count > 0 && command.Action is null)
            message = $"choose a command: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}";
        else
            message = parsed.Errors[0].Message;
        var where = path == programName ? "" : path[(programName.Length + 1)..] + ": ";
        return $"{where}{OneLine(message)} (see '{path} --help')";
    }

    private static IEnumerable<string> Path(CommandResult result)
    {
        var names = new Stack<string>();
        for (SymbolResult? current = result; current is CommandResult { Parent: not null } command; current = command.Parent)
            names.Push(command.Command.Name);
        return names;
    }

    private static string OneLine(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
