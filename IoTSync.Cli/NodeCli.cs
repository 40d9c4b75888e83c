using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Configuration;
using IoTSync.Logs;
using IoTSync.Model;

namespace IoTSync.Cli;

/// <summary>What the node commands share: <c>--config</c>, <c>--json</c>, durations, and exit codes for command results.</summary>
public static partial class NodeCli
{
    /// <summary>For scripts: camelCase, enums as words, hashes and device ids as the strings people see.</summary>
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new Serialization.Sha256HashConverter(), new Serialization.DeviceIdConverter(), new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static Option<string?> ConfigOption(Command command, string defaultConfigFile)
    {
        var option = new Option<string?>("--config") { Description = $"The node's configuration. Default: {ChosenConfig(null, defaultConfigFile)}", HelpName = "FILE" };
        command.Options.Add(option);
        return option;
    }

    public static Option<bool> JsonOption(Command command)
    {
        var option = new Option<bool>("--json") { Description = "One JSON document on stdout instead of text for people." };
        command.Options.Add(option);
        return option;
    }

    /// <summary>
    /// The node's configuration: the file <c>--config</c> names, or the default beside the executable; a key
    /// under <c>iotsync</c> that the node's shipped files (named by <paramref name="defaultConfigFile"/>) lack is refused.
    /// </summary>
    public static Config LoadConfig(ParseResult parsed, Option<string?> option, string defaultConfigFile) =>
        IoTSyncSystem.LoadNodeConfig(ChosenConfig(parsed.GetValue(option), defaultConfigFile), Configuration.ConfigReference.ForShippedFile(defaultConfigFile));

    /// <summary>
    /// The configuration a command reads: <paramref name="given"/> (<c>--config</c>); else, for an executable
    /// installed by install.sh (<c>ROOT/opt/iotsync/ROLE/</c>), the installation's <c>ROOT/etc/iotsync/ROLE.hocon</c>
    /// when it exists, so commands on an installed machine need no <c>--config</c>; else the shipped file.
    /// </summary>
    public static string ChosenConfig(string? given, string shippedConfigFile)
    {
        if (given is not null)
            return given;
        var installed = InstalledLayout().Match(AppContext.BaseDirectory);
        if (installed.Success)
        {
            var configuration = $"{installed.Groups["root"].Value}/etc/iotsync/{Path.GetFileName(shippedConfigFile)}";
            if (File.Exists(configuration))
                return configuration;
        }
        return shippedConfigFile;
    }

    [GeneratedRegex(@"^(?<root>.*)/opt/iotsync/(?:device|mirror)/?$", RegexOptions.CultureInvariant)]
    private static partial Regex InstalledLayout();

    /// <summary>Tables for people on a command's output: colour and box drawing only when it is the process's terminal.</summary>
    public static Spectre.Console.IAnsiConsole TableConsole(TextWriter output) =>
        Terminal.Create(output, output == Console.Out && !Console.IsOutputRedirected);

    public static void WriteJson(TextWriter output, object value) => output.WriteLine(JsonSerializer.Serialize(value, value.GetType(), Json));

    /// <summary>"500ms", "30s", "5m", "2h", "1d": a positive duration.</summary>
    public static TimeSpan ParseDuration(string text, string what)
    {
        var match = DurationPattern().Match(text.Trim());
        if (!match.Success)
            throw new ArgumentException($"{what}: '{text}' is not a duration such as 500ms, 30s, 5m, 2h or 1d");
        var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var duration = match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            _ => TimeSpan.FromDays(amount),
        };
        if (duration <= TimeSpan.Zero)
            throw new ArgumentException($"{what} must be longer than zero");
        return duration;
    }

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d)$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    /// <summary>
    /// The exit code a command's result gives the CLI that ran it: its own for an executed
    /// command; 126 refused, 124 expired or cancelled, 125 failed without an exit code.
    /// </summary>
    public static int ExitCodeOf(ResultFields result) => result.Outcome switch
    {
        CommandOutcome.Executed => result.ExitCode,
        CommandOutcome.Failed when result.ExitCode >= 0 => result.ExitCode,
        CommandOutcome.Refused => ExitCodes.Refused,
        CommandOutcome.Expired or CommandOutcome.Cancelled => ExitCodes.ExpiredOrCancelled,
        _ => ExitCodes.FailedWithoutExitCode,
    };

    /// <summary>Writes a result as a person reads it: the output on stdout, how it ended on stderr unless it simply ran.</summary>
    public static void WriteResult(TextWriter output, TextWriter error, string program, ResultFields result)
    {
        output.Write(result.Output);
        output.Flush();
        if (result.Truncated)
            error.WriteLine($"{program}: output truncated at the device's output cap");
        if (result.Outcome != CommandOutcome.Executed)
            error.WriteLine($"{program}: {result.Outcome.ToString().ToLowerInvariant()}{(result.ExitCode >= 0 ? $" (exit {result.ExitCode})" : "")}");
    }

    public static string Time(long? unixMs) => unixMs is { } ms
        ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
        : "never";
}
