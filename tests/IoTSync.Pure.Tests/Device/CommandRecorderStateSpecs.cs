using System.Collections.Immutable;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Model;
using Xunit;
using static IoTSync.Device.CommandRecorderEvents;
using static IoTSync.Device.CommandRecorderMessages;

namespace IoTSync.Tests.Device;

/// <summary>The CommandRecorder's decisions, without an actor system: what to record and what to do next.</summary>
public sealed class CommandRecorderStateSpecs
{
    private static readonly DeviceId Device = new("dev-pure");
    private const long Now = 1_700_000_000_000;
    private static readonly HlcTimestamp Stamp = new(Now, 0);
    private static readonly ImmutableHashSet<CommandRef> NoneAtRecovery = [];

    private static CommandRecorderState Apply(CommandRecorderState state, object @event) =>
        state.Apply(@event, state.Logs.DeviceLog.Length + state.Logs.MirrorLog.Length + state.Started.Count + 1);

    private static CommandRecorderState WithMirror(CommandRecorderState state, LogEntry entry) => Apply(state, new EntryAppended(entry));

    private static LogEntry MirrorCommand(CommandRecorderState state, long? notAfter = null, params string[] argv) =>
        LogEntry.NewCommand(state.Logs.MirrorLog, Origin.Mirror, Stamp, "operator", argv, notAfter);

    private static CommandRecorderState Recorded(CommandRecorderState state, params string[] argv)
    {
        var (refusal, recorded) = state.Decide(new RecordCommand([.. argv], "operator"), Stamp);
        Assert.Null(refusal);
        return Apply(state, recorded!);
    }

    [Theory]
    [InlineData("", "a command is a non-empty argument vector")]
    [InlineData("echo|a\0b", "argument 1 contains a NUL character")]
    [InlineData("|x", "the program name is empty")]
    [InlineData("echo|caf\uFFFD", "argument 1 is not valid UTF-8")]
    public void Should_refuse_to_record_a_command_that_is_not_a_valid_argument_vector(string joined, string reason)
    {
        string[] argv = joined.Length == 0 ? [] : joined.Split('|');
        var (refusal, recorded) = CommandRecorderState.Empty(Device).Decide(new RecordCommand([.. argv], "operator"), Stamp);

        Assert.StartsWith(reason, refusal, StringComparison.Ordinal);
        Assert.Null(recorded);
    }

    [Fact]
    public void Should_record_a_local_command_after_the_device_log_head()
    {
        var (refusal, recorded) = CommandRecorderState.Empty(Device).Decide(new RecordCommand(["uptime"], "operator"), Stamp);

        Assert.Null(refusal);
        Assert.Equal((1L, Origin.Device, "operator"), (recorded!.Entry.Sequence, recorded.Entry.Ref.Origin, recorded.Entry.Issuer));
    }

    [Fact]
    public void Should_take_the_mirrors_commands_first_then_the_devices_each_in_sequence()
    {
        var state = Recorded(CommandRecorderState.Empty(Device), "local");
        state = WithMirror(state, MirrorCommand(state, null, "first"));
        state = WithMirror(state, MirrorCommand(state, null, "second"));

        var (command, decision) = state.NextStep(Now, NoneAtRecovery, logConfirmed: false)!.Value;

        Assert.Equal((new CommandRef(Origin.Mirror, 1), CommandDecision.Run), (command.Ref, decision));
        Assert.Equal([new CommandRef(Origin.Mirror, 1), new CommandRef(Origin.Mirror, 2), new CommandRef(Origin.Device, 1)],
            state.OpenCommands.Select(c => c.Ref).ToArray());
    }

    [Fact]
    public void Should_have_no_next_step_when_nothing_is_open()
    {
        var state = Recorded(CommandRecorderState.Empty(Device), "set", "k", "v");

        Assert.Null(state.NextStep(Now, NoneAtRecovery, logConfirmed: false));
        Assert.True(state.DoneThrough(10));
    }

    [Fact]
    public void Should_learn_a_started_commands_outcome_from_its_runner_and_never_run_it_again()
    {
        var state = WithMirror(CommandRecorderState.Empty(Device), MirrorCommand(CommandRecorderState.Empty(Device), null, "fw-update"));
        state = Apply(state, new CommandStarted(new CommandRef(Origin.Mirror, 1)));

        Assert.Equal(CommandDecision.LearnOutcome, state.NextStep(Now, state.OpenAtRecovery(), logConfirmed: false)!.Value.Decision);
        Assert.Equal(CommandDecision.LearnOutcome, state.NextStep(Now, state.OpenAtRecovery(), logConfirmed: true)!.Value.Decision);
        var started = Apply(Recorded(CommandRecorderState.Empty(Device), "local"), new CommandStarted(new CommandRef(Origin.Device, 1)));
        Assert.Equal(CommandDecision.LearnOutcome, started.NextStep(Now, started.OpenAtRecovery(), logConfirmed: false)!.Value.Decision);
    }

    [Fact]
    public void Should_record_the_runners_result_of_a_command_started_before_a_restart_and_interrupted_only_without_one()
    {
        var finishedWhileDead = new ResultFields(CommandOutcome.Failed, 3, "done\n", false, 2004);

        Assert.Equal(finishedWhileDead, CommandRecorderState.OutcomeAtRecovery(finishedWhileDead));
        var interrupted = CommandRecorderState.OutcomeAtRecovery(null);
        Assert.Equal(CommandRecorderState.ResultFor(CommandDecision.RecordInterrupted), interrupted);
        Assert.Equal(CommandOutcome.Failed, interrupted.Outcome);
        Assert.Contains("interrupted", interrupted.Output);
    }

    [Fact]
    public void Should_not_run_a_local_command_open_at_recovery_but_run_a_mirror_one_that_arrives_after()
    {
        var state = Recorded(CommandRecorderState.Empty(Device), "local");
        var openAtRecovery = state.OpenAtRecovery();
        state = WithMirror(state, MirrorCommand(state, null, "remote"));

        Assert.Equal(CommandDecision.Run, state.NextStep(Now, openAtRecovery, logConfirmed: false)!.Value.Decision);
        state = Apply(state, new EntryAppended(state.NewResult(Stamp, "device", new CommandRef(Origin.Mirror, 1), new ResultFields(CommandOutcome.Executed, 0, "", false, 1))));
        var (command, decision) = state.NextStep(Now, openAtRecovery, logConfirmed: false)!.Value;
        Assert.Equal((new CommandRef(Origin.Device, 1), CommandDecision.RecordInterrupted), (command.Ref, decision));
        Assert.Equal(CommandDecision.Run, state.NextStep(Now, NoneAtRecovery, logConfirmed: false)!.Value.Decision);
    }

    [Fact]
    public void Should_hold_a_mirror_command_open_at_recovery_until_a_hello_confirms_the_device_log_and_deal_with_the_rest_meanwhile()
    {
        var state = WithMirror(CommandRecorderState.Empty(Device), MirrorCommand(CommandRecorderState.Empty(Device), null, "delivered"));
        state = Recorded(state, "local-after");
        var openAtRecovery = state.OpenAtRecovery().Remove(new CommandRef(Origin.Device, 1));

        var (command, decision) = state.NextStep(Now, openAtRecovery, logConfirmed: false)!.Value;
        Assert.True(state.AwaitsMirror(state.OpenCommands.First(), openAtRecovery));
        Assert.Equal((new CommandRef(Origin.Device, 1), CommandDecision.Run), (command.Ref, decision));
        Assert.Equal((new CommandRef(Origin.Mirror, 1), CommandDecision.Run),
            state.NextStep(Now, openAtRecovery, logConfirmed: true) is var (c, d) ? (c.Ref, d) : default);
        // One that had started is not held: its outcome is learnt from its runner.
        var started = Apply(state, new CommandStarted(new CommandRef(Origin.Mirror, 1)));
        Assert.False(started.AwaitsMirror(started.OpenCommands.First(), openAtRecovery));
    }

    [Fact]
    public void Should_record_a_cancelled_command_as_cancelled_and_an_expired_one_as_expired()
    {
        var state = WithMirror(CommandRecorderState.Empty(Device), MirrorCommand(CommandRecorderState.Empty(Device), Now - 1, "late"));
        Assert.Equal(CommandDecision.RecordExpired, state.NextStep(Now, NoneAtRecovery, logConfirmed: false)!.Value.Decision);

        state = WithMirror(state, LogEntry.NewCancel(state.Logs.MirrorLog, Stamp, "operator", 1));
        Assert.Equal(CommandDecision.RecordCancelled, state.NextStep(Now, NoneAtRecovery, logConfirmed: false)!.Value.Decision);
        Assert.Equal(CommandOutcome.Cancelled, CommandRecorderState.ResultFor(CommandDecision.RecordCancelled).Outcome);
        Assert.Equal(CommandOutcome.Expired, CommandRecorderState.ResultFor(CommandDecision.RecordExpired).Outcome);
    }

    [Fact]
    public void Should_be_done_through_a_mirror_sequence_only_when_no_mirror_command_up_to_it_is_open()
    {
        var state = WithMirror(CommandRecorderState.Empty(Device), MirrorCommand(CommandRecorderState.Empty(Device), null, "run"));
        Assert.False(state.DoneThrough(1));

        var result = state.NewResult(Stamp, "device", new CommandRef(Origin.Mirror, 1), new ResultFields(CommandOutcome.Executed, 0, "", false, 1));
        state = Apply(state, new EntryAppended(result));

        Assert.True(state.DoneThrough(1));
        Assert.Empty(state.Started);
    }

    [Fact]
    public void Should_describe_a_command_that_could_not_run_as_failed()
    {
        var result = CommandRecorderState.CouldNotRun("no such file");

        Assert.Equal((CommandOutcome.Failed, -1, "could not run: no such file"), (result.Outcome, result.ExitCode, result.Output));
    }
}
