using IoTSync.Device;
using Xunit;

namespace IoTSync.Tests.Device;

/// <summary>The HeartbeatSender's retry schedule and clock-offset arithmetic, without an actor system.</summary>
public sealed class HeartbeatBackoffSpecs
{
    private static readonly HeartbeatBackoff Backoff = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));

    [Theory]
    [InlineData(1, 0, 100)]
    [InlineData(2, 100, 200)]
    [InlineData(3, 300, 400)]
    [InlineData(4, 700, 300)]
    [InlineData(5, 1000, 0)]
    [InlineData(6, 1500, 0)]
    public void Should_double_the_wait_each_attempt_but_never_wait_past_the_give_up_bound(int attempt, int elapsedMs, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Backoff.DelayAfter(attempt, TimeSpan.FromMilliseconds(elapsedMs)));
    }

    [Fact]
    public void Should_not_overflow_after_many_attempts()
    {
        var patient = new HeartbeatBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(365));

        Assert.Equal(TimeSpan.FromMilliseconds(100L << 20), patient.DelayAfter(200, TimeSpan.Zero));
    }

    [Fact]
    public void Should_give_up_once_the_bound_is_reached()
    {
        Assert.False(Backoff.GivenUp(TimeSpan.FromMilliseconds(999)));
        Assert.True(Backoff.GivenUp(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Should_take_the_offset_as_mirror_time_minus_the_middle_of_the_round_trip()
    {
        var sample = new ClockOffsetSample(SentAtUnixMs: 1_000, AnsweredAtUnixMs: 1_100, MirrorTimeUnixMs: 5_050);

        Assert.Equal(100, sample.RoundTripMs);
        Assert.Equal(4_000, sample.OffsetMs);
    }
}
