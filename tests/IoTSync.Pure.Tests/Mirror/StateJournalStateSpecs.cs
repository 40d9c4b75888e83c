using System.Collections.Immutable;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using Xunit;
using static IoTSync.Mirror.StateJournalEvents;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Mirror;

/// <summary>The StateJournal's decisions, without an actor system: what each command writes and answers.</summary>
public sealed class StateJournalStateSpecs
{
    private static readonly DeviceId Device = new("dev-pure");
    private static readonly HlcTimestamp Now = new(1_700_000_000_000, 0);
    private static readonly StateJournalSettings Limits = StateJournalSettings.Default with { MaxOpenCommands = 2, MaxCommandBytes = 16 };

    private static StateJournalState Empty => StateJournalState.Empty(Device);

    /// <summary>Applies what was decided, as the actor does once the events are durable.</summary>
    private static StateJournalState Applied<T>(StateJournalState state, StateJournalDecision<T> decision)
    {
        foreach (var @event in decision.Events)
            state = state.Apply(@event, state.Logs.DeviceLog.Length + state.Logs.MirrorLog.Length + 1);
        return state;
    }

    private static (StateJournalState State, LogEntry Entry) Submitted(StateJournalState state, params string[] argv)
    {
        var decision = state.Decide(new SubmitCommand(Device, [.. argv], "operator", null), Now, Limits);
        return (Applied(state, decision), Assert.IsType<Submitted>(decision.Reply).Entry);
    }

    [Fact]
    public void Should_write_a_submitted_command_after_the_mirror_log_head_and_answer_with_its_entry()
    {
        var decision = Empty.Decide(new SubmitCommand(Device, ["reboot"], "operator", 1_700_000_100_000), Now, Limits);

        var entry = Assert.IsType<Submitted>(decision.Reply).Entry;
        Assert.Equal(new EntryAppended(entry), Assert.Single(decision.Events));
        Assert.Equal((1L, Origin.Mirror, "operator", 1_700_000_100_000L), (entry.Sequence, entry.Ref.Origin, entry.Issuer, entry.NotAfterUnixMs!.Value));
        Assert.Equal(CommandStatus.Pending, Applied(Empty, decision).StatusOf(1));
    }

    [Theory]
    [InlineData(new string[0], "non-empty")]
    [InlineData(new[] { "a\0b" }, "NUL")]
    [InlineData(new[] { "", "x" }, "the program name is empty")]
    [InlineData(new[] { "echo", "\uFFFD" }, "not valid UTF-8")]
    [InlineData(new[] { "seventeen-bytes!!" }, "17 bytes")]
    public void Should_refuse_a_submission_out_of_bounds_and_write_nothing(string[] argv, string reason)
    {
        var decision = Empty.Decide(new SubmitCommand(Device, [.. argv], "operator", null), Now, Limits);

        Assert.Contains(reason, Assert.IsType<SubmitRefused>(decision.Reply).Reason);
        Assert.True(decision.WritesNothing);
    }

    [Fact]
    public void Should_refuse_a_submission_without_an_issuer()
    {
        var decision = Empty.Decide(new SubmitCommand(Device, ["ls"], " ", null), Now, Limits);

        Assert.Contains("issuer", Assert.IsType<SubmitRefused>(decision.Reply).Reason);
        Assert.True(decision.WritesNothing);
    }

    [Fact]
    public void Should_refuse_a_device_command_past_the_open_limit_but_still_take_a_property_change()
    {
        var (state, _) = Submitted(Empty, "one");
        (state, _) = Submitted(state, "two");

        var refused = state.Decide(new SubmitCommand(Device, ["three"], "operator", null), Now, Limits);
        var property = state.Decide(new SubmitCommand(Device, ["set", "k", "v"], "operator", null), Now, Limits);

        Assert.Contains("2 commands are already open", Assert.IsType<SubmitRefused>(refused.Reply).Reason);
        Assert.IsType<Submitted>(property.Reply);
    }

    [Fact]
    public void Should_cancel_an_open_command_once_and_refuse_anything_else()
    {
        var (state, _) = Submitted(Empty, "set", "a", "b");
        (state, var command) = Submitted(state, "reboot");

        Assert.Contains("not an open device command", Assert.IsType<SubmitRefused>(state.Decide(new CancelCommand(Device, 1, "operator"), Now).Reply).Reason);
        Assert.Contains("not an open device command", Assert.IsType<SubmitRefused>(state.Decide(new CancelCommand(Device, 9, "operator"), Now).Reply).Reason);
        var cancel = state.Decide(new CancelCommand(Device, command.Sequence, "operator"), Now);
        var entry = Assert.IsType<Submitted>(cancel.Reply).Entry;
        Assert.Equal(EntryKind.Cancel, entry.Kind);
        state = Applied(state, cancel);
        Assert.Contains("already being cancelled", Assert.IsType<SubmitRefused>(state.Decide(new CancelCommand(Device, command.Sequence, "operator"), Now).Reply).Reason);
    }

    [Fact]
    public void Should_append_only_the_device_entries_not_yet_held_and_nothing_from_a_rejected_batch()
    {
        var deviceLog = LogPosition.Empty(Device, Origin.Device);
        var first = LogEntry.NewCommand(deviceLog, Origin.Device, Now, "device", ["set", "x", "1"]);
        var second = LogEntry.NewCommand(deviceLog.After(first), Origin.Device, Now, "device", ["set", "x", "2"]);
        var state = Applied(Empty, Empty.Decide(new AppendDeviceEntries(Device, [first])));

        var again = state.Decide(new AppendDeviceEntries(Device, [first, second]));
        var gap = Empty.Decide(new AppendDeviceEntries(Device, [second]));

        Assert.Equal([new EntryAppended(second)], again.Events.ToArray());
        Assert.False(again.Reply.IsRejection);
        Assert.True(gap.Reply.IsRejection);
        Assert.True(gap.WritesNothing);
    }

    [Fact]
    public void Should_confirm_delivery_only_forward_and_never_beyond_the_mirror_log()
    {
        var (state, entry) = Submitted(Empty, "reboot");
        var beyond = LogPosition.Empty(Device, Origin.Mirror).After(entry) with { Length = 5 };

        var confirm = state.Decide(new ConfirmDelivery(Device, beyond));
        state = Applied(state, confirm);
        var repeat = state.Decide(new ConfirmDelivery(Device, beyond));

        Assert.Equal([new DeliveryConfirmed(1)], confirm.Events.ToArray());
        Assert.Equal(1, state.DeliveredThrough);
        Assert.True(repeat.WritesNothing);
        Assert.Equal(Acknowledged.Instance, repeat.Reply);
    }

    [Fact]
    public void Should_record_a_divergence_at_the_time_given()
    {
        var decision = Empty.Decide(new MarkDiverged(Device, Origin.Device, Verdict.Fork, 3, "other head"), 1_700_000_000_123);

        Assert.Equal([new DivergenceDetected(Origin.Device, Verdict.Fork, 3, "other head", 1_700_000_000_123)], decision.Events.ToArray());
        Assert.True(Applied(Empty, decision).IsDiverged);
    }

    [Fact]
    public void Should_still_fold_in_window_events_an_older_mirror_wrote_among_the_log_entries()
    {
        var heartbeat = new HeartbeatRecorded(1_700_000_000_000, 30_000, null);
        var session = new SessionRecorded("s", 1, 2, 1, 0, 0, null, "Converged", null);

        var state = Empty.Apply(heartbeat, 1).Apply(session, 2);

        Assert.Equal(1, state.History.WindowCount);
        Assert.Equal(session, state.History.Recent[0].Session);
        Assert.Equal(Empty.Logs.View, state.Logs.View);
    }

    [Fact]
    public void Should_report_a_resolved_property_change_as_applied_and_a_resolved_command_as_resolved()
    {
        var (_, set) = Submitted(Empty, "set", "k", "v");
        var (_, run) = Submitted(Empty, "reboot");

        Assert.Equal(CommandStatus.Applied, StateJournalState.StatusReply(1, CommandStatus.Resolved, set, null).Status);
        Assert.Equal(CommandStatus.Resolved, StateJournalState.StatusReply(1, CommandStatus.Resolved, run, null).Status);
        Assert.Equal(CommandStatus.Pending, StateJournalState.StatusReply(1, CommandStatus.Pending, run, null).Status);
    }

    [Fact]
    public void Should_mark_every_message_a_state_journal_receives_with_its_device()
    {
        var received = typeof(StateJournalMessages).GetNestedTypes()
            .Where(t => t.Name is not (nameof(Submitted) or nameof(SubmitRefused) or nameof(Acknowledged) or nameof(CommandStatusReply) or nameof(WindowList)));

        Assert.All(received, t => Assert.True(typeof(IWithDeviceId).IsAssignableFrom(t), $"{t.Name} does not name its device"));
    }
}
