using IoTSync.Configuration;
using Xunit;

namespace IoTSync.Tests.Configuration;

/// <summary>Durations in the nodes' output as words (<see cref="DurationText"/>), never TimeSpan's own format.</summary>
public sealed class DurationTextSpecs
{
    [Theory]
    [InlineData(30_000, "30 s")]
    [InlineData(1_800, "1800 ms")]
    [InlineData(100, "100 ms")]
    [InlineData(0.3, "0.3 ms")]
    [InlineData(3_600_000, "3600 s")]
    public void Should_say_whole_seconds_in_s_and_the_rest_in_ms(double milliseconds, string expected) =>
        Assert.Equal(expected, DurationText.Of(TimeSpan.FromMilliseconds(milliseconds)));
}
