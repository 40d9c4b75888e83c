using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Protocol;
using Xunit;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.Tests.Mirror;

public sealed class HealthChangesSpecs
{
    private const long At = 1_700_000_000_000;
    private static readonly DeviceId Device = new("dev-1");

    [Theory]
    [InlineData("ok", "late")]
    [InlineData("dark", "late")]
    [InlineData("late", "ok")]
    [InlineData("late", "dark")]
    [InlineData("late", "diverged")]
    [InlineData("ok", "failing")]
    [InlineData("never-seen", "ok")]
    [InlineData("never-seen", "mismatch")]
    [InlineData("corrupt", "ok")]
    public void Should_publish_a_change_of_health_with_both_labels(string from, string to)
    {
        Assert.Equal(new HealthChanged(Device, from, to, At, "why"), HealthChanges.Decide(Device, from, to, At, "why"));
    }

    [Theory]
    [InlineData("ok", "ok")]
    [InlineData("late", "late")]
    [InlineData("ok", "dark")]
    [InlineData("dark", "ok")]
    [InlineData("never-seen", "never-seen")]
    public void Should_publish_nothing_while_the_health_stays_the_same_and_not_for_ok_and_dark_taking_turns(string from, string to)
    {
        Assert.Null(HealthChanges.Decide(Device, from, to, At, null));
    }

    [Theory]
    [InlineData("late")]
    [InlineData("failing")]
    [InlineData("diverged")]
    [InlineData("corrupt")]
    [InlineData("mismatch")]
    public void Should_publish_a_device_first_observed_in_trouble_as_from_unknown(string now)
    {
        Assert.Equal(new HealthChanged(Device, HealthChanges.Unknown, now, At, "d"), HealthChanges.Decide(Device, null, now, At, "d"));
    }

    [Theory]
    [InlineData("ok")]
    [InlineData("dark")]
    [InlineData("never-seen")]
    public void Should_only_record_a_device_first_observed_out_of_trouble(string now)
    {
        Assert.Null(HealthChanges.Decide(Device, null, now, At, null));
    }

    [Theory]
    [InlineData("late", "ok", true)]
    [InlineData("failing", "dark", true)]
    [InlineData("mismatch", "ok", true)]
    [InlineData("late", "diverged", false)]
    [InlineData("never-seen", "ok", false)]
    [InlineData(HealthChanges.Unknown, "ok", false)]
    public void Should_call_only_a_way_out_of_trouble_to_ok_or_dark_a_recovery(string from, string to, bool recovery)
    {
        Assert.Equal(recovery, HealthChanges.IsRecovery(new HealthChanged(Device, from, to, At, null)));
    }

    [Fact]
    public void Should_say_what_is_wrong_or_when_the_device_was_last_heard_from()
    {
        var heard = StateJournalState.Empty(Device).Apply(new HeartbeatRecorded(At, 30_000, null), 1);
        var diverged = heard.Apply(new DivergenceDetected(Origin.Device, Verdict.Fork, 1, "forked", At), 2);

        Assert.Equal("no heartbeat for 125 s, 4 windows missed (cycle 30 s)",
            HealthChanges.DetailOf(heard, Liveness.Of(heard, At + 125_000, 3)));
        Assert.Equal("last heartbeat 2 s ago", HealthChanges.DetailOf(heard, Liveness.Of(heard, At + 2_000, 3)));
        Assert.Equal(Liveness.ProblemOf(diverged), HealthChanges.DetailOf(diverged, Liveness.Of(diverged, At, 3)));
        Assert.NotNull(Liveness.ProblemOf(diverged));
        Assert.Null(HealthChanges.DetailOf(StateJournalState.Empty(Device), Liveness.Of(StateJournalState.Empty(Device), At, 3)));
    }
}
