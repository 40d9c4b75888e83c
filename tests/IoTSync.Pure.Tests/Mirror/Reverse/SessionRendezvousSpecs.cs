using IoTSync.Mirror.Reverse;
using IoTSync.Model;
using Xunit;

namespace IoTSync.Tests.Mirror.Reverse;

/// <summary>Where a reverse device's arriving session meets the replicator's opener for it: alone, with plain objects for arrivals.</summary>
public sealed class SessionRendezvousSpecs
{
    private sealed record Arrival(string Name);

    private static readonly DeviceId A = new("dev-a");
    private static readonly DeviceId B = new("dev-b");

    [Fact]
    public async Task Should_hand_an_arrival_to_the_opener_waiting_for_that_device()
    {
        var rendezvous = new SessionRendezvous<Arrival>();
        var waiting = rendezvous.Expect(A, CancellationToken.None);
        var arrival = new Arrival("a1");

        var (outcome, displaced) = rendezvous.Arrive(A, arrival);

        Assert.Equal(SessionRendezvous<Arrival>.Outcome.Met, outcome);
        Assert.Null(displaced);
        Assert.Same(arrival, await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal((0, 0), rendezvous.Counts);
    }

    [Fact]
    public async Task Should_hold_an_arrival_that_comes_before_the_opener_and_give_it_at_once()
    {
        var rendezvous = new SessionRendezvous<Arrival>();
        var arrival = new Arrival("early");

        Assert.Equal(SessionRendezvous<Arrival>.Outcome.Held, rendezvous.Arrive(A, arrival).Outcome);
        var opened = rendezvous.Expect(A, CancellationToken.None);

        Assert.True(opened.IsCompletedSuccessfully);
        Assert.Same(arrival, await opened);
        Assert.False(rendezvous.Withdraw(A, arrival));
    }

    [Fact]
    public void Should_let_the_holder_withdraw_an_arrival_nobody_wanted()
    {
        var rendezvous = new SessionRendezvous<Arrival>();
        var arrival = new Arrival("unwanted");
        rendezvous.Arrive(A, arrival);

        Assert.True(rendezvous.Withdraw(A, arrival));
        Assert.Equal((0, 0), rendezvous.Counts);
        Assert.False(rendezvous.Withdraw(A, arrival));
    }

    [Fact]
    public async Task Should_never_give_one_devices_arrival_to_another_devices_opener()
    {
        var rendezvous = new SessionRendezvous<Arrival>();
        var forB = rendezvous.Expect(B, CancellationToken.None);

        Assert.Equal(SessionRendezvous<Arrival>.Outcome.Held, rendezvous.Arrive(A, new Arrival("a")).Outcome);

        Assert.False(forB.IsCompleted);
        var b = new Arrival("b");
        rendezvous.Arrive(B, b);
        Assert.Same(b, await forB.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Should_displace_an_older_held_arrival_for_the_same_device()
    {
        var rendezvous = new SessionRendezvous<Arrival>();
        var first = new Arrival("first");
        var second = new Arrival("second");
        rendezvous.Arrive(A, first);

        var (outcome, displaced) = rendezvous.Arrive(A, second);

        Assert.Equal(SessionRendezvous<Arrival>.Outcome.Held, outcome);
        Assert.Same(first, displaced);
        Assert.False(rendezvous.Withdraw(A, first));
        Assert.Same(second, await rendezvous.Expect(A, CancellationToken.None));
    }

    [Fact]
    public async Task Should_end_a_cancelled_wait_and_hold_a_later_arrival_instead_of_losing_it()
    {
        var rendezvous = new SessionRendezvous<Arrival>();
        using var cancel = new CancellationTokenSource();
        var waiting = rendezvous.Expect(A, cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        var late = new Arrival("late");
        Assert.Equal(SessionRendezvous<Arrival>.Outcome.Held, rendezvous.Arrive(A, late).Outcome);
        Assert.Equal((0, 1), rendezvous.Counts);
    }

    [Fact]
    public void Should_refuse_a_second_opener_for_the_same_device()
    {
        var rendezvous = new SessionRendezvous<Arrival>();
        _ = rendezvous.Expect(A, CancellationToken.None);

        Assert.Throws<InvalidOperationException>(() => { _ = rendezvous.Expect(A, CancellationToken.None); });
    }

    [Fact]
    public async Task Should_match_every_arrival_exactly_once_when_openers_and_arrivals_race()
    {
        var rendezvous = new SessionRendezvous<Arrival>();
        var devices = Enumerable.Range(0, 200).Select(i => new DeviceId($"dev-{i}")).ToArray();
        var arrivals = devices.ToDictionary(d => d, d => new Arrival(d.Value));

        var opened = devices.Select(d => Task.Run(() => Task.FromResult(rendezvous.Expect(d, CancellationToken.None)))).ToArray();
        var arrived = devices.Select(d => Task.Run(() => rendezvous.Arrive(d, arrivals[d]))).ToArray();
        await Task.WhenAll(arrived);
        var got = await Task.WhenAll(opened.Select(async o => await (await o).WaitAsync(TimeSpan.FromSeconds(10))));

        Assert.Equal(devices.Select(d => arrivals[d]), got);
        Assert.Equal((0, 0), rendezvous.Counts);
    }
}
