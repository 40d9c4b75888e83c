using IoTSync.Device;
using Xunit;

namespace IoTSync.Tests.Device;

/// <summary>
/// Which mirror the HeartbeatSender calls within a window and when it moves on, without an actor system:
/// each heartbeat's wait runs out exactly as scheduled, and only the listed addresses answer.
/// </summary>
public sealed class MirrorRotationSpecs
{
    private static readonly TimeSpan Initial = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(1);

    private static MirrorRotation Rotation(int count) => new(count, new HeartbeatBackoff(Initial, GiveUpAfter));

    /// <summary>
    /// One window as the actor runs it: a heartbeat, then a wait for it, then the next decision; the
    /// heartbeats sent (time into the window, address) and the address that answered, or null.
    /// </summary>
    private static (List<(int Ms, int Address)> Sent, int? Answered) Window(MirrorRotation rotation, int answeredLast, params int[] alive)
    {
        var sent = new List<(int, int)>();
        var elapsed = TimeSpan.Zero;
        MirrorTurn? turn = rotation.Start(answeredLast);
        while (turn is not null)
        {
            turn = turn.Sending();
            sent.Add(((int)elapsed.TotalMilliseconds, turn.Address));
            if (alive.Contains(turn.Address))
                return (sent, turn.Address);
            var wait = rotation.DelayAfter(turn, elapsed);
            Assert.True(wait >= TimeSpan.Zero);
            elapsed += wait;
            turn = rotation.AfterWait(turn, elapsed);
        }
        Assert.Equal(GiveUpAfter, elapsed);
        return (sent, null);
    }

    [Fact]
    public void Should_call_one_address_exactly_on_the_back_off_schedule()
    {
        var rotation = Rotation(1);
        var turn = rotation.Start(0).Sending();
        var elapsed = TimeSpan.Zero;
        for (var attempt = 1; attempt < 10 && turn is not null; attempt++)
        {
            var wait = rotation.DelayAfter(turn, elapsed);
            Assert.Equal(new HeartbeatBackoff(Initial, GiveUpAfter).DelayAfter(attempt, elapsed), wait);
            elapsed += wait;
            turn = rotation.AfterWait(turn, elapsed)?.Sending();
            if (turn is not null)
                Assert.Equal((0, attempt + 1), (turn.Address, turn.Sent));
        }
        Assert.Null(turn);
        Assert.Equal(GiveUpAfter, elapsed);
    }

    [Fact]
    public void Should_move_to_the_next_address_when_one_leaves_its_share_of_the_bound_unanswered()
    {
        var (sent, answered) = Window(Rotation(2), answeredLast: 0, alive: 1);

        // The first address's half of the second: 100 ms, then 200 ms, then what is left of its turn.
        Assert.Equal([(0, 0), (100, 0), (300, 0), (500, 1)], sent);
        Assert.Equal(1, answered);
    }

    [Fact]
    public void Should_start_with_the_address_that_answered_last()
    {
        var (sent, answered) = Window(Rotation(2), answeredLast: 1, alive: 1);

        Assert.Equal([(0, 1)], sent);
        Assert.Equal(1, answered);
    }

    [Fact]
    public void Should_wrap_round_from_the_last_address_to_the_first()
    {
        var (sent, answered) = Window(Rotation(3), answeredLast: 2, alive: 0);

        Assert.Equal([2, 0], sent.Select(s => s.Address).Distinct());
        Assert.Equal(0, answered);
        Assert.Equal(333, sent.Last().Ms);
    }

    [Fact]
    public void Should_give_up_only_at_the_bound_after_every_address_had_its_turn()
    {
        var (sent, answered) = Window(Rotation(3), answeredLast: 1, alive: []);

        Assert.Null(answered);
        Assert.Equal([1, 2, 0], sent.Select(s => s.Address).Distinct());
        // Each turn starts its back-off again: a third of the second each.
        Assert.Equal([(0, 1), (100, 1), (300, 1), (333, 2), (433, 2), (633, 2), (666, 0), (766, 0), (966, 0)], sent);
    }

    [Fact]
    public void Should_give_each_address_one_heartbeat_when_the_bound_is_shorter_than_the_turns_need()
    {
        var rotation = new MirrorRotation(4, new HeartbeatBackoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(400)));
        var turn = rotation.Start(0).Sending();
        var addresses = new List<int> { turn.Address };
        var elapsed = TimeSpan.Zero;
        while (true)
        {
            elapsed += rotation.DelayAfter(turn, elapsed);
            if (rotation.AfterWait(turn, elapsed) is not { } next)
                break;
            turn = next.Sending();
            addresses.Add(turn.Address);
        }

        Assert.Equal([0, 1, 2, 3], addresses);
        Assert.Equal(TimeSpan.FromMilliseconds(400), elapsed);
    }

    [Fact]
    public void Should_stay_with_an_address_that_answered_but_asked_for_another_heartbeat()
    {
        var rotation = Rotation(2);
        var turn = rotation.Start(0).Sending();
        var moved = rotation.AfterWait(turn, TimeSpan.FromMilliseconds(500))!;

        var stayed = rotation.StayWith(moved, 0);

        Assert.Equal((0, moved.Number, moved.Ends, moved.Sent), (stayed.Address, stayed.Number, stayed.Ends, stayed.Sent));
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 0)]
    [InlineData(3, 2)]
    [InlineData(5, 3)]
    public void Should_try_every_address_once_in_the_listed_order_from_the_sticky_one(int count, int answeredLast)
    {
        var (sent, _) = Window(Rotation(count), answeredLast, alive: []);

        Assert.Equal(Enumerable.Range(0, count).Select(i => (answeredLast + i) % count), sent.Select(s => s.Address).Distinct());
        // Never back to an address once it has had its turn.
        Assert.Equal(count, sent.Select(s => s.Address).Aggregate(new List<int>(), (runs, a) =>
        {
            if (runs.Count == 0 || runs[^1] != a)
                runs.Add(a);
            return runs;
        }).Count);
    }

    [Fact]
    public void Should_take_a_sticky_index_past_the_list_as_wrapped()
    {
        Assert.Equal(1, Rotation(2).Start(5).Address);
        Assert.Equal(0, Rotation(1).Start(3).Address);
    }
}
