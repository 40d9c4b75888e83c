using System.Globalization;
using System.Text.RegularExpressions;
using IoTSync.MirrorApi.Resources;
using IoTSync.MirrorApi.Server;

namespace IoTSync.MirrorApi.Events;

/// <summary>
/// A live event's <c>id:</c>, what a client reconnects with (<c>Last-Event-ID</c>): <c>EPOCH.SERIAL</c> on the
/// fleet stream, <c>EPOCH.SERIAL.dD,mM</c> on a device's. <see cref="Epoch"/> names the node's run (its start,
/// unix ms), <see cref="Serial"/> the last event of that run the client had (the node's in-memory buffer
/// replays those after it), and on a device stream <see cref="Numbers"/> are the device's update numbers the
/// client had seen every entry of (the journal replays the entries after them, whatever the run).
/// </summary>
public sealed partial record EventId(long Epoch, long Serial, (long DeviceLog, long MirrorLog)? Numbers)
{
    public override string ToString() => Numbers is { } numbers
        ? string.Create(CultureInfo.InvariantCulture, $"{Epoch}.{Serial}.{UpdateNumbers.Format(numbers.DeviceLog, numbers.MirrorLog)}")
        : string.Create(CultureInfo.InvariantCulture, $"{Epoch}.{Serial}");

    /// <summary>The id a client sent back; null when it sent none; a 400 problem naming <c>Last-Event-ID</c> when it is not one of ours.</summary>
    public static EventId? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return null;
        var match = Pattern().Match(text);
        if (!match.Success
            || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
            || !long.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var serial))
            throw ApiProblem.BadRequest($"Last-Event-ID must be an id this node sent (EPOCH.SERIAL or EPOCH.SERIAL.dD,mM), not '{text}'", "Last-Event-ID");
        return new EventId(epoch, serial, match.Groups[3].Success ? UpdateNumbers.Parse(match.Groups[3].Value) : null);
    }

    [GeneratedRegex(@"^([0-9]{1,18})\.([0-9]{1,18})(?:\.(d[0-9]{1,18},m[0-9]{1,18}))?$")]
    private static partial Regex Pattern();
}
