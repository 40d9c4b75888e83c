using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace IoTSync.Hosting;

/// <summary>Options of <see cref="JsonLineFormatter"/>: the device node's own id, when it is one.</summary>
public sealed class JsonLineFormatterOptions : ConsoleFormatterOptions
{
    public string? DeviceId { get; set; }
}

/// <summary>
/// The node's log as JSON lines (<c>iotsync.logging.format = json</c>), one object per event for
/// journald, jq or a log shipper: <c>time</c>, <c>level</c>, <c>source</c> (the actor's path or the
/// category), <c>deviceId</c> (the device node's own id, or the device a mirror line names first as
/// <c>[id]</c>; absent when none), <c>message</c>, and <c>exception</c> when there is one.
/// </summary>
public sealed partial class JsonLineFormatter(IOptionsMonitor<JsonLineFormatterOptions> options) : ConsoleFormatter(FormatterName)
{
    /// <summary>The name the console logger selects this formatter by.</summary>
    public const string FormatterName = "iotsync-json";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter) =>
        textWriter.WriteLine(Format(logEntry, options.CurrentValue.DeviceId, DateTimeOffset.UtcNow));

    /// <summary>The line for one event (no newline), with <paramref name="now"/> as the time of a line that carries none.</summary>
    public static string Format<TState>(in LogEntry<TState> logEntry, string? deviceId, DateTimeOffset now)
    {
        var text = logEntry.Formatter(logEntry.State, logEntry.Exception) ?? "";
        var source = logEntry.Category;
        var time = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        // An Akka event formats to Akka's own line: its header is taken apart into fields.
        if (AkkaHeader().Match(text) is { Success: true } header)
        {
            source = header.Groups["source"].Value;
            text = text[header.Length..];
        }
        var device = deviceId ?? (LeadingDevice().Match(text) is { Success: true } named ? named.Groups["id"].Value : null);
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("time", time);
            json.WriteString("level", Level(logEntry.LogLevel));
            json.WriteString("source", source);
            if (device is not null)
                json.WriteString("deviceId", device);
            json.WriteString("message", text);
            if (logEntry.Exception is { } exception)
                json.WriteString("exception", exception.ToString());
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        _ => "critical",
    };

    [GeneratedRegex(@"^\[[A-Z]+\]\[[^\]]*\]\[Thread \d+\]\[(?<source>[^\]]*)\] ?")]
    private static partial Regex AkkaHeader();

    [GeneratedRegex(@"^\[(?<id>[a-z0-9_-]{1,64})\] ")]
    private static partial Regex LeadingDevice();
}
