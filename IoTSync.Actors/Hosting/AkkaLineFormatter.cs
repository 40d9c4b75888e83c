using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace IoTSync.Hosting;

/// <summary>
/// The console format of a running node: an Akka log event, which reaches the console through
/// Microsoft.Extensions.Logging, as Akka's own standard-out logger writes it,
/// <c>[INFO][time][Thread 0012][akka://…/user/cycle] message</c>, one line per event (an error's cause
/// on the lines after it), so operators, the rig and the test bed read what they always read.
/// Anything else logged through Microsoft.Extensions.Logging gets the same shape with its category as source.
/// Under systemd's journal (<see cref="JournalStream"/>) each event is one line with its priority prefix.
/// </summary>
public sealed class AkkaLineFormatter() : ConsoleFormatter(FormatterName)
{
    /// <summary>The name the console logger selects this formatter by.</summary>
    public const string FormatterName = "akka-line";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
            return;
        var line = new System.Text.StringBuilder();
        // Akka.Hosting's state for an Akka log event carries its source and formats to the event's own
        // line (level, time, thread, source, message); anything else gets that shape here.
        if (!IsAkkaEvent(logEntry.State))
            line.Append($"[{Level(logEntry.LogLevel)}][{DateTime.UtcNow:MM/dd/yyyy HH:mm:ss.fff}Z][Thread {Environment.CurrentManagedThreadId:0000}][{logEntry.Category}] ");
        line.Append(message);
        if (logEntry.Exception is { } cause && !message.Contains(cause.GetType().FullName ?? cause.GetType().Name, StringComparison.Ordinal))
            line.Append($"{Environment.NewLine}Cause: {cause}");
        if (JournalStream.Connected)
        {
            // The journal keeps a line as an entry: an error's cause stays in its event's entry, and the
            // prefix gives the entry its priority (journalctl -p warning).
            textWriter.Write($"<{JournalStream.Priority(logEntry.LogLevel)}>");
            textWriter.WriteLine(line.Replace("\r", "").Replace("\n", " | ").ToString());
            return;
        }
        textWriter.WriteLine(line.ToString());
    }

    private static bool IsAkkaEvent<TState>(TState state) =>
        state is IEnumerable<KeyValuePair<string, object?>> properties && properties.Any(p => p.Key == "LogSource");

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        _ => "ERROR",
    };
}
