using System.Globalization;
using System.Text.RegularExpressions;

namespace IoTSync.MirrorApi.Resources;

/// <summary>
/// A point in a device's history as the API names it: how many entries of the device log and of the
/// mirror log a client has seen, written <c>d12,m7</c>. Asking for changes <c>since</c> it gives
/// exactly what came after; the answer's <c>next</c> is the point to ask from next time. A device event
/// stream's event id (<c>EPOCH.SERIAL.d12,m7</c>) names the same point and is taken too.
/// </summary>
public static partial class UpdateNumbers
{
    public static (long DeviceLog, long MirrorLog) Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return (0, 0);
        var match = Pattern().Match(EventIdTail().Match(text) is { Success: true } id ? id.Groups[1].Value : text);
        if (!match.Success
            || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var device)
            || !long.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var mirror))
            throw new Server.ApiProblem(400, "Bad request", $"since must be update numbers such as d12,m7 (device log, mirror log) or a device event id, not '{text}'", "since");
        return (device, mirror);
    }

    public static string Format(long deviceLog, long mirrorLog) => string.Create(CultureInfo.InvariantCulture, $"d{deviceLog},m{mirrorLog}");

    [GeneratedRegex(@"^d([0-9]{1,18}),m([0-9]{1,18})$")]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^[0-9]{1,18}\.[0-9]{1,18}\.(d[0-9]{1,18},m[0-9]{1,18})$")]
    private static partial Regex EventIdTail();
}
