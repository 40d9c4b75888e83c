using System.Globalization;
using System.Text.RegularExpressions;

namespace IoTSync.Testing.Logs;

/// <summary>
/// The time on a node's log line (Akka's <c>[INFO][11/30/2026 12:49:22.667Z]</c>), so a spec can order lines of
/// two processes on one machine by when they were written rather than by when the spec read them.
/// </summary>
public static class NodeLogTime
{
    /// <summary>Put before a line's pattern: captures the line's time as the named group <c>logtime</c> (named groups come after the numbered ones).</summary>
    public const string Pattern = @"\[(?<logtime>\d\d/\d\d/\d{4} \d\d:\d\d:\d\d\.\d+)Z\][^\n]*?";

    /// <summary>The time of a line matched with <see cref="Pattern"/> in front, in UTC.</summary>
    public static DateTime Of(Match line) =>
        DateTime.ParseExact(line.Groups["logtime"].Value, "MM/dd/yyyy HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
