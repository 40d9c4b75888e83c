using System.Globalization;
using System.Text;
using System.Text.Json;
using IoTSync.Logs;
using IoTSync.Model;

namespace IoTSync.Cli.Journal;

/// <summary>How entries read to a person (one table row) and to a script (one JSON line with every field).</summary>
public static class EntryFormat
{
    private const int SummaryOutputChars = 48;

    /// <summary>"command", "result", "cancel".</summary>
    public static string KindName(EntryKind kind) => kind switch
    {
        EntryKind.Command => "command",
        EntryKind.Result => "result",
        EntryKind.Cancel => "cancel",
        _ => $"kind-{(byte)kind}",
    };

    public static string OriginName(Origin origin) => origin == Origin.Device ? "device" : "mirror";

    public static string OutcomeName(CommandOutcome outcome) => outcome.ToString().ToLowerInvariant();

    /// <summary>The argument vector as a shell would show it, or the result in short.</summary>
    public static string Summary(LogEntry entry) => entry.Kind switch
    {
        EntryKind.Command => Argv(entry.Argv),
        EntryKind.Result when entry.Result is { } result && entry.Target is { } target =>
            $"result of {target}: {OutcomeName(result.Outcome)}, exit {result.ExitCode.ToString(CultureInfo.InvariantCulture)}, {result.DurationMs.ToString(CultureInfo.InvariantCulture)} ms" +
            (result.Output.Length == 0 ? "" : ": " + Shorten(result.Output)),
        EntryKind.Cancel when entry.Target is { } target => $"cancel {target}",
        _ => "",
    };

    /// <summary>Arguments joined by spaces, each quoted when it would not read back as one word.</summary>
    public static string Argv(IEnumerable<string> argv) => string.Join(' ', argv.Select(Quote));

    /// <summary>Wall-clock time (UTC, milliseconds) and the counter when it is not 0: <c>2026-11-02 10:15:00.123+2</c>.</summary>
    public static string Hlc(HlcTimestamp timestamp)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(timestamp.WallMs, 0, 253_402_300_799_999))
            .ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
        return timestamp.Counter == 0 ? time : time + "+" + timestamp.Counter.ToString(CultureInfo.InvariantCulture);
    }

    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z" : "-";

    /// <summary>One JSON object with every field of the entry, plus where it sits in the journal.</summary>
    public static void WriteJson(Utf8JsonWriter json, DeviceId device, LogEntry entry, long journalSequenceNr, DateTimeOffset writtenAt)
    {
        json.WriteStartObject();
        json.WriteString("device", device.Value);
        json.WriteString("log", OriginName(entry.Origin));
        json.WriteNumber("sequence", entry.Sequence);
        json.WriteString("kind", KindName(entry.Kind));
        json.WriteStartObject("timestamp");
        json.WriteNumber("wallMs", entry.Timestamp.WallMs);
        json.WriteNumber("counter", entry.Timestamp.Counter);
        json.WriteEndObject();
        json.WriteString("issuer", entry.Issuer);
        json.WriteStartArray("argv");
        foreach (var arg in entry.Argv)
            json.WriteStringValue(arg);
        json.WriteEndArray();
        if (entry.NotAfterUnixMs is { } notAfter)
            json.WriteNumber("notAfterUnixMs", notAfter);
        else
            json.WriteNull("notAfterUnixMs");
        if (entry.Target is { } target)
        {
            json.WriteStartObject("target");
            json.WriteString("log", OriginName(target.Origin));
            json.WriteNumber("sequence", target.Sequence);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("target");
        }
        if (entry.Result is { } result)
        {
            json.WriteStartObject("result");
            json.WriteString("outcome", OutcomeName(result.Outcome));
            json.WriteNumber("exitCode", result.ExitCode);
            json.WriteString("output", result.Output);
            json.WriteBoolean("truncated", result.Truncated);
            json.WriteNumber("durationMs", result.DurationMs);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("result");
        }
        json.WriteString("previousHash", entry.PreviousHash.ToHex());
        json.WriteString("hash", entry.Hash.ToHex());
        json.WriteNumber("journalSequenceNr", journalSequenceNr);
        json.WriteString("writtenAt", writtenAt.UtcDateTime.ToString("o", CultureInfo.InvariantCulture));
        json.WriteEndObject();
    }

    private static string Quote(string arg)
    {
        if (arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c)))
            return arg;
        var quoted = new StringBuilder("'");
        foreach (var c in arg)
            quoted.Append(c == '\'' ? "'\\''" : char.IsControl(c) ? Escape(c) : c.ToString());
        return quoted.Append('\'').ToString();
    }

    private static string Shorten(string output)
    {
        var line = output.ReplaceLineEndings(" ").Trim();
        var flat = new string([.. line.Select(c => char.IsControl(c) ? ' ' : c)]);
        return flat.Length <= SummaryOutputChars ? flat : flat[..SummaryOutputChars] + "…";
    }

    private static string Escape(char c) => c switch
    {
        '\n' => "\\n",
        '\t' => "\\t",
        '\r' => "\\r",
        _ => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
    };
}
