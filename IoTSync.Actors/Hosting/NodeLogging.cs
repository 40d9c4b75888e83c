using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace IoTSync.Hosting;

/// <summary>Microsoft.Extensions.Logging for a running node: the console in Akka's line format (or JSON lines), and nothing else.</summary>
public static class NodeLogging
{
    /// <summary>
    /// One provider, the console on stdout with <see cref="AkkaLineFormatter"/>. Akka's events pass
    /// at any level (<c>akka.loglevel</c> in the node's HOCON already chose them); the hosting
    /// framework's own chatter only from warnings up, so stdout holds what it held before the host.
    /// </summary>
    public static ILoggingBuilder AddNodeConsole(this ILoggingBuilder logging) => logging.AddNodeConsole(NodeLogSettings.Text);

    /// <summary>As <see cref="AddNodeConsole(ILoggingBuilder)"/>, in the format <paramref name="settings"/> chose: Akka's text line or <see cref="JsonLineFormatter"/>.</summary>
    public static ILoggingBuilder AddNodeConsole(this ILoggingBuilder logging, NodeLogSettings settings)
    {
        logging.ClearProviders();
        logging.AddConsole(options => options.FormatterName = settings.Json ? JsonLineFormatter.FormatterName : AkkaLineFormatter.FormatterName);
        logging.AddConsoleFormatter<AkkaLineFormatter, ConsoleFormatterOptions>();
        logging.AddConsoleFormatter<JsonLineFormatter, JsonLineFormatterOptions>(options => options.DeviceId = settings.DeviceId);
        logging.SetMinimumLevel(LogLevel.Trace);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("System", LogLevel.Warning);
        // ASP.NET's authentication handlers log under their own type names, a line per request at Debug.
        logging.AddFilter("IoTSync.MirrorApi.Server", LogLevel.Warning);
        // A host that fails to start is reported by the command line, in one line on stderr, as before the host.
        logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        logging.AddFilter("Akka.Hosting.AkkaHostedService", LogLevel.None);
        return logging;
    }
}
