using IoTSync.Protocol;
using Xunit;

namespace IoTSync.Tests.Protocol;

public sealed class HeartbeatBucketSpecs
{
    private static readonly HeartbeatRate Rate = new(3, TimeSpan.FromMilliseconds(100));
    private const long Start = 1_700_000_000_000;

    private static int Admitted(ref HeartbeatBucket bucket, int count, long at)
    {
        var admitted = 0;
        for (var i = 0; i < count; i++)
        {
            (var ok, bucket) = bucket.Take(Rate, at);
            admitted += ok ? 1 : 0;
        }
        return admitted;
    }

    [Fact]
    public void Should_admit_a_burst_at_once_and_nothing_more_until_it_refills()
    {
        var bucket = HeartbeatBucket.Full(Rate, Start);

        Assert.Equal(3, Admitted(ref bucket, 10, Start));
        Assert.Equal(0, Admitted(ref bucket, 5, Start + 99));
        Assert.Equal(1, Admitted(ref bucket, 5, Start + 100));
        Assert.Equal(3, Admitted(ref bucket, 10, Start + 10_000));
    }

    [Fact]
    public void Should_hold_a_device_flooding_to_one_heartbeat_per_refill()
    {
        var bucket = HeartbeatBucket.Full(Rate, Start);
        var admitted = 0;

        // 1,000 heartbeats a second for ten seconds.
        for (var ms = 0; ms < 10_000; ms++)
            admitted += Admitted(ref bucket, 1, Start + ms);

        Assert.InRange(admitted, 100, 103);
    }

    [Fact]
    public void Should_neither_refill_nor_lose_tokens_when_the_clock_steps_back()
    {
        var bucket = HeartbeatBucket.Full(Rate, Start);
        Admitted(ref bucket, 2, Start);

        Assert.Equal(1, Admitted(ref bucket, 5, Start - 60_000));
        Assert.Equal(0, Admitted(ref bucket, 5, Start + 50));
    }

    [Fact]
    public void Should_never_hold_more_than_the_burst_however_long_the_device_was_silent()
    {
        var bucket = HeartbeatBucket.Full(Rate, Start);

        Assert.Equal(3, Admitted(ref bucket, 10, Start + 365L * 24 * 3_600_000));
    }
}
