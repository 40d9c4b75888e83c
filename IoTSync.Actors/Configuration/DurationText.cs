using System.Globalization;

namespace IoTSync.Configuration;

/// <summary>A duration as people read it in the nodes' output: "1800 ms", "30 s", never TimeSpan's "00:00:01.8000000".</summary>
public static class DurationText
{
    /// <summary>Whole seconds as "30 s"; anything else as "1800 ms" (fractions of a millisecond to one decimal).</summary>
    public static string Of(TimeSpan duration) =>
        duration.Ticks % TimeSpan.TicksPerSecond == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalSeconds} s")
            : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0.#} ms");
}
