namespace IoTSync.Hosting;

/// <summary>
/// Whether the node's output goes to systemd's journal: systemd sets <c>JOURNAL_STREAM</c> for a
/// service whose stdout or stderr is connected to it. The journal then reads a <c>&lt;N&gt;</c> prefix
/// as the line's priority (syslog's levels) and keeps each line as one entry.
/// </summary>
public static class JournalStream
{
    public static bool Connected { get; } = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("JOURNAL_STREAM"));

    /// <summary>syslog's priority for a level: 7 debug, 6 info, 4 warning, 3 error, 2 critical.</summary>
    public static int Priority(Microsoft.Extensions.Logging.LogLevel level) => level switch
    {
        Microsoft.Extensions.Logging.LogLevel.Trace or Microsoft.Extensions.Logging.LogLevel.Debug => 7,
        Microsoft.Extensions.Logging.LogLevel.Information => 6,
        Microsoft.Extensions.Logging.LogLevel.Warning => 4,
        Microsoft.Extensions.Logging.LogLevel.Error => 3,
        _ => 2,
    };
}
