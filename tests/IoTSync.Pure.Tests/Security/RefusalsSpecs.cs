using IoTSync.Hosting;
using IoTSync.Logs;
using IoTSync.Security;
using Xunit;

namespace IoTSync.Tests.Security;

/// <summary>The refusal counters: named counts, a plain snapshot of the non-zero ones, safe to count into from many threads.</summary>
public sealed class RefusalsSpecs
{
    [Fact]
    public void Should_start_empty_and_show_only_the_counters_that_were_counted()
    {
        var refusals = new Refusals();
        Assert.Empty(refusals.Snapshot());

        refusals.Count(Refusals.HeartbeatBadMac);
        refusals.Count(Refusals.HeartbeatBadMac);
        refusals.Count(Refusals.TlsRefused);

        Assert.Equal(new Dictionary<string, long> { [Refusals.HeartbeatBadMac] = 2, [Refusals.TlsRefused] = 1 }, refusals.Snapshot());
        Assert.Equal(0, refusals.Of(Refusals.ShorterLog));
    }

    [Fact]
    public void Should_give_a_snapshot_that_later_counts_do_not_change()
    {
        var refusals = new Refusals();
        refusals.Count(Refusals.DeviceUnknown);
        var before = refusals.Snapshot();

        refusals.Count(Refusals.DeviceUnknown);

        Assert.Equal(1, before[Refusals.DeviceUnknown]);
        Assert.Equal(2, refusals.Of(Refusals.DeviceUnknown));
    }

    [Fact]
    public async Task Should_lose_no_count_when_many_threads_count_at_once()
    {
        var refusals = new Refusals();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
                refusals.Count(Refusals.HeartbeatRate);
        })));

        Assert.Equal(80_000, refusals.Of(Refusals.HeartbeatRate));
    }

    [Theory]
    [InlineData(Verdict.Gap, Refusals.BatchGap)]
    [InlineData(Verdict.Fork, Refusals.BatchFork)]
    [InlineData(Verdict.BadHash, Refusals.BatchBadHash)]
    [InlineData(Verdict.BadLink, Refusals.BatchBadLink)]
    [InlineData(Verdict.LogShrank, Refusals.ShorterLog)]
    [InlineData(Verdict.Malformed, Refusals.BatchMalformed)]
    [InlineData(Verdict.Appendable, null)]
    [InlineData(Verdict.AlreadyHeld, null)]
    public void Should_name_the_counter_of_each_chain_verdict_that_is_a_refusal(Verdict verdict, string? counter) =>
        Assert.Equal(counter, Refusals.ForVerdict(verdict));

    [Theory]
    [InlineData("Serializer not defined for message with serializer id [1] and manifest []. Transient association error (association remains live).", true)]
    [InlineData("Error caught channel [[::ffff:127.0.0.1]:4053->[::ffff:127.0.0.1]:51000](Id=1): DotNetty.Codecs.TooLongFrameException: Adjusted frame length exceeds 128000", true)]
    [InlineData("TLS peer [::ffff:127.0.0.1]:51000 refused: no certificate", false)]
    [InlineData("[dev] heartbeat refused: bad MAC; dropped", false)]
    public void Should_recognise_akka_remotes_words_for_a_frame_it_could_not_decode(string message, bool undecodable) =>
        Assert.Equal(undecodable, EdgeRefusalWatch.IsUndecodableFrame(message));
}
