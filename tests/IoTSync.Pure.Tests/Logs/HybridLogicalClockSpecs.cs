using IoTSync.Logs;
using Xunit;

namespace IoTSync.Tests.Logs;

public sealed class HybridLogicalClockSpecs
{
    private const long Start = 1_767_225_600_000;

    private static void AssertStrictlyIncreasing(IReadOnlyList<HlcTimestamp> readings)
    {
        for (var i = 1; i < readings.Count; i++)
            Assert.True(readings[i] > readings[i - 1], $"reading {i} ({readings[i]}) is not after {readings[i - 1]}");
    }

    [Fact]
    public void Should_follow_the_wall_clock_while_it_moves_forward()
    {
        var wall = new FakeWallClock(Start);
        var clock = new HybridLogicalClock(wall);

        var first = clock.Now();
        wall.UtcNowMs += 5;
        var second = clock.Now();

        Assert.Equal(new HlcTimestamp(Start, 0), first);
        Assert.Equal(new HlcTimestamp(Start + 5, 0), second);
        Assert.Equal(second, clock.Last);
    }

    [Fact]
    public void Should_stay_monotonic_while_the_wall_clock_stands_still()
    {
        var clock = new HybridLogicalClock(new FakeWallClock(Start));

        var readings = Enumerable.Range(0, 100).Select(_ => clock.Now()).ToList();

        AssertStrictlyIncreasing(readings);
        Assert.All(readings, r => Assert.Equal(Start, r.WallMs));
        Assert.Equal(99, readings[^1].Counter);
    }

    [Fact]
    public void Should_stay_monotonic_when_the_wall_clock_steps_backwards()
    {
        var wall = new FakeWallClock(Start);
        var clock = new HybridLogicalClock(wall);
        var readings = new List<HlcTimestamp> { clock.Now(), clock.Now() };

        wall.UtcNowMs = Start - 60_000;
        readings.Add(clock.Now());
        readings.Add(clock.Now());
        wall.UtcNowMs = Start - 1;
        readings.Add(clock.Now());
        wall.UtcNowMs = Start + 1;
        readings.Add(clock.Now());

        AssertStrictlyIncreasing(readings);
        Assert.Equal(new HlcTimestamp(Start, 4), readings[4]);
        Assert.Equal(new HlcTimestamp(Start + 1, 0), readings[5]);
    }

    [Fact]
    public void Should_stay_monotonic_under_a_wall_clock_that_wanders()
    {
        var wall = new FakeWallClock(Start);
        var clock = new HybridLogicalClock(wall);
        var random = new Random(20261101);
        var readings = new List<HlcTimestamp>();

        for (var i = 0; i < 2_000; i++)
        {
            wall.UtcNowMs += random.Next(-3, 4);
            readings.Add(clock.Now());
        }

        AssertStrictlyIncreasing(readings);
    }

    [Fact]
    public void Should_order_the_next_local_event_after_an_observed_later_remote_timestamp()
    {
        var wall = new FakeWallClock(Start);
        var clock = new HybridLogicalClock(wall);
        clock.Now();
        var remote = new HlcTimestamp(Start + 10_000, 7);

        clock.Observe(remote);
        var next = clock.Now();

        Assert.True(next > remote, $"{next} is not after {remote}");
        Assert.Equal(new HlcTimestamp(Start + 10_000, 8), next);
    }

    [Fact]
    public void Should_order_after_a_remote_timestamp_in_the_same_millisecond()
    {
        var wall = new FakeWallClock(Start);
        var clock = new HybridLogicalClock(wall);
        var remote = new HlcTimestamp(Start, 41);

        clock.Observe(remote);
        var next = clock.Now();

        Assert.True(next > remote);
        Assert.Equal(new HlcTimestamp(Start, 42), next);
    }

    [Fact]
    public void Should_not_move_back_when_observing_an_earlier_remote_timestamp()
    {
        var wall = new FakeWallClock(Start);
        var clock = new HybridLogicalClock(wall);
        clock.Now();
        clock.Now();
        var before = clock.Last;

        clock.Observe(new HlcTimestamp(Start - 1_000, 99));
        Assert.Equal(before, clock.Last);
        var next = clock.Now();

        Assert.Equal(new HlcTimestamp(Start, 2), next);
    }

    [Fact]
    public void Should_use_the_wall_clock_again_once_it_passes_an_observed_timestamp()
    {
        var wall = new FakeWallClock(Start);
        var clock = new HybridLogicalClock(wall);
        clock.Observe(new HlcTimestamp(Start + 50, 3));

        wall.UtcNowMs = Start + 51;
        var next = clock.Now();

        Assert.Equal(new HlcTimestamp(Start + 51, 0), next);
    }

    [Fact]
    public void Should_resume_after_a_restored_last_timestamp()
    {
        var restored = new HlcTimestamp(Start + 1_000, 5);
        var clock = new HybridLogicalClock(new FakeWallClock(Start), restored);

        var next = clock.Now();

        Assert.True(next > restored);
    }

    [Fact]
    public void Should_stay_monotonic_when_an_observed_counter_is_exhausted()
    {
        // A remote entry can carry any counter; the next local event must still order after it.
        var clock = new HybridLogicalClock(new FakeWallClock(Start));
        var remote = new HlcTimestamp(Start + 5, int.MaxValue);

        clock.Observe(remote);
        var first = clock.Now();
        var second = clock.Now();

        Assert.True(first > remote, $"{first} is not after {remote}");
        Assert.True(second > first, $"{second} is not after {first}");
    }

    [Theory]
    [InlineData(1, 0, 1, 0, 0)]
    [InlineData(1, 0, 1, 1, -1)]
    [InlineData(2, 0, 1, 9, 1)]
    [InlineData(1, 9, 2, 0, -1)]
    public void Should_compare_by_wall_time_then_counter(long wallA, int counterA, long wallB, int counterB, int expectedSign)
    {
        var a = new HlcTimestamp(wallA, counterA);
        var b = new HlcTimestamp(wallB, counterB);

        Assert.Equal(expectedSign, Math.Sign(a.CompareTo(b)));
        Assert.Equal(-expectedSign, Math.Sign(b.CompareTo(a)));
        Assert.Equal(expectedSign == 0, a == b);
        Assert.Equal(expectedSign >= 0 ? a : b, HlcTimestamp.Max(a, b));
    }
}
