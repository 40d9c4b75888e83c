using IoTSync.Logs;
using IoTSync.Model;
using Xunit;

namespace IoTSync.Tests.Model;

public sealed class ApplicationStateSpecs
{
    private const long T = 1_767_225_600_000;

    private static HlcTimestamp At(long offsetMs, int counter = 0) => new(T + offsetMs, counter);

    /// <summary>The model does not look at the chain, so entries here are placed by sequence only.</summary>
    private static LogPosition Before(long sequence) => new(sequence - 1, Sha256Hash.Zero);

    private static LogEntry Command(Origin origin, long sequence, HlcTimestamp at, params string[] argv) =>
        LogEntry.NewCommand(Before(sequence), origin, at, $"{origin}", argv);

    private static LogEntry Result(long sequence, HlcTimestamp at, CommandRef command,
        CommandOutcome outcome = CommandOutcome.Executed, int exitCode = 0) =>
        LogEntry.NewResult(Before(sequence), at, "device-runner", command,
            new ResultFields(outcome, exitCode, "output", Truncated: false, DurationMs: 10));

    private static LogEntry Cancel(long sequence, HlcTimestamp at, long mirrorCommand) =>
        LogEntry.NewCancel(Before(sequence), at, "operator", mirrorCommand);

    private static ApplicationState Apply(params LogEntry[] entries) => ApplicationState.Empty.ApplyAll(entries);

    // ----- properties -----

    [Fact]
    public void Should_set_a_property()
    {
        var set = Command(Origin.Device, 1, At(0), "set", "mode", "eco");

        var state = Apply(set);

        Assert.Equal("eco", state.Get("mode"));
        Assert.Equal(new WriteStamp(At(0), Origin.Device, 1), state.Properties["mode"].Stamp);
        Assert.Equal([KeyValuePair.Create("mode", "eco")], state.LiveProperties);
        Assert.Null(state.Get("other"));
    }

    [Fact]
    public void Should_keep_the_later_write_whatever_the_order_of_arrival()
    {
        var earlier = Command(Origin.Mirror, 1, At(0, 5), "set", "mode", "eco");
        var later = Command(Origin.Device, 1, At(1), "set", "mode", "turbo");

        Assert.Equal("turbo", Apply(earlier, later).Get("mode"));
        Assert.Equal("turbo", Apply(later, earlier).Get("mode"));
    }

    [Fact]
    public void Should_order_by_counter_within_the_same_millisecond()
    {
        var first = Command(Origin.Mirror, 1, At(0, 1), "set", "mode", "eco");
        var second = Command(Origin.Device, 1, At(0, 2), "set", "mode", "turbo");

        Assert.Equal("turbo", Apply(first, second).Get("mode"));
        Assert.Equal("turbo", Apply(second, first).Get("mode"));
    }

    [Fact]
    public void Should_break_a_timestamp_tie_by_origin_mirror_after_device()
    {
        var fromDevice = Command(Origin.Device, 9, At(0, 3), "set", "mode", "device-value");
        var fromMirror = Command(Origin.Mirror, 2, At(0, 3), "set", "mode", "mirror-value");

        Assert.Equal("mirror-value", Apply(fromDevice, fromMirror).Get("mode"));
        Assert.Equal("mirror-value", Apply(fromMirror, fromDevice).Get("mode"));
    }

    [Fact]
    public void Should_break_a_tie_of_timestamp_and_origin_by_sequence()
    {
        var lower = Command(Origin.Device, 4, At(0, 3), "set", "mode", "four");
        var higher = Command(Origin.Device, 5, At(0, 3), "set", "mode", "five");

        Assert.Equal("five", Apply(lower, higher).Get("mode"));
        Assert.Equal("five", Apply(higher, lower).Get("mode"));
    }

    [Fact]
    public void Should_leave_a_tombstone_when_unset_after_set()
    {
        var set = Command(Origin.Device, 1, At(0), "set", "mode", "eco");
        var unset = Command(Origin.Mirror, 1, At(1), "unset", "mode");

        var state = Apply(set, unset);

        Assert.Null(state.Get("mode"));
        Assert.Empty(state.LiveProperties);
        var tombstone = Assert.Contains("mode", (IReadOnlyDictionary<string, PropertyValue>)state.Properties);
        Assert.Null(tombstone.Value);
        Assert.Equal(WriteStamp.Of(unset), tombstone.Stamp);
    }

    [Fact]
    public void Should_not_let_an_older_set_arriving_late_revive_an_unset_key()
    {
        var set = Command(Origin.Device, 1, At(0), "set", "mode", "eco");
        var unset = Command(Origin.Mirror, 1, At(1), "unset", "mode");

        var state = Apply(unset, set);

        Assert.Null(state.Get("mode"));
        Assert.Equal(Apply(set, unset).Digest(), state.Digest());
    }

    [Fact]
    public void Should_revive_a_key_set_after_its_unset()
    {
        var set = Command(Origin.Device, 1, At(0), "set", "mode", "eco");
        var unset = Command(Origin.Device, 2, At(1), "unset", "mode");
        var again = Command(Origin.Mirror, 1, At(2), "set", "mode", "turbo");

        Assert.Equal("turbo", Apply(set, unset, again).Get("mode"));
        Assert.Equal("turbo", Apply(again, unset, set).Get("mode"));
    }

    [Fact]
    public void Should_compare_keys_and_values_exactly()
    {
        var state = Apply(
            Command(Origin.Device, 1, At(0), "set", "Mode", "A"),
            Command(Origin.Device, 2, At(1), "set", "mode", "a"),
            Command(Origin.Device, 3, At(2), "set", "İ", "x"));

        Assert.Equal("A", state.Get("Mode"));
        Assert.Equal("a", state.Get("mode"));
        Assert.Null(state.Get("MODE"));
        Assert.Null(state.Get("i"));
        Assert.Equal(3, state.Properties.Count);
    }

    // ----- device commands -----

    [Theory]
    [InlineData("set", "mode")]
    [InlineData("set", "mode", "eco", "extra")]
    [InlineData("set")]
    [InlineData("unset")]
    [InlineData("unset", "mode", "extra")]
    [InlineData("SET", "mode", "eco")]
    [InlineData("reboot")]
    public void Should_treat_any_other_argv_as_a_device_command(params string[] argv)
    {
        var entry = Command(Origin.Device, 1, At(0), argv);

        var state = Apply(entry);

        Assert.False(PropertyCommand.IsPropertyOperation(entry.Argv));
        Assert.True(PropertyCommand.IsDeviceCommand(entry.Argv));
        Assert.Empty(state.Properties);
        var open = Assert.Single(state.OpenCommands).Value;
        Assert.Equal(entry.Ref, open.Ref);
        Assert.Equal(argv, open.Argv);
    }

    [Fact]
    public void Should_open_a_device_command()
    {
        var entry = LogEntry.NewCommand(Before(3), Origin.Mirror, At(7, 1), "api", ["systemctl", "restart", "x"],
            notAfterUnixMs: T + 60_000);

        var state = Apply(entry);

        var open = Assert.Single(state.OpenCommands);
        Assert.Equal(new CommandRef(Origin.Mirror, 3), open.Key);
        Assert.Equal(new CommandRef(Origin.Mirror, 3), open.Value.Ref);
        Assert.Equal<string>(["systemctl", "restart", "x"], open.Value.Argv);
        Assert.Equal(T + 60_000, open.Value.NotAfterUnixMs);
        Assert.Equal(At(7, 1), open.Value.IssuedAt);
        Assert.False(open.Value.CancelRequested);
        Assert.Equal(0, state.Counters.Total);
    }

    [Fact]
    public void Should_close_a_command_with_its_result_and_count_it()
    {
        var command = Command(Origin.Device, 1, At(0), "uptime");
        var result = Result(2, At(1), command.Ref);

        var state = Apply(command, result);

        Assert.Empty(state.OpenCommands);
        Assert.Empty(state.EarlyResults);
        Assert.Equal(new OutcomeCounters(1, 0, 0, 0, 0), state.Counters);
        Assert.Equal(new ResultSummary(command.Ref, CommandOutcome.Executed, 0, WriteStamp.Of(result)), state.LatestResult);
    }

    [Theory]
    [InlineData(CommandOutcome.Executed)]
    [InlineData(CommandOutcome.Failed)]
    [InlineData(CommandOutcome.Refused)]
    [InlineData(CommandOutcome.Expired)]
    [InlineData(CommandOutcome.Cancelled)]
    public void Should_count_each_outcome_in_its_own_counter(CommandOutcome outcome)
    {
        var command = Command(Origin.Mirror, 1, At(0), "reboot");
        var result = Result(1, At(1), command.Ref, outcome, exitCode: outcome == CommandOutcome.Executed ? 0 : 1);

        var counters = Apply(command, result).Counters;

        Assert.Equal(1, counters.Total);
        Assert.Equal(1, outcome switch
        {
            CommandOutcome.Executed => counters.Executed,
            CommandOutcome.Failed => counters.Failed,
            CommandOutcome.Refused => counters.Refused,
            CommandOutcome.Expired => counters.Expired,
            CommandOutcome.Cancelled => counters.Cancelled,
            _ => 0,
        });
    }

    [Fact]
    public void Should_hold_a_result_that_arrives_before_its_command_until_the_command_arrives()
    {
        var command = Command(Origin.Mirror, 1, At(0), "reboot");
        var result = Result(1, At(1), command.Ref, CommandOutcome.Failed, exitCode: 2);

        var early = Apply(result);

        var waiting = Assert.Single(early.EarlyResults);
        Assert.Equal(command.Ref, waiting.Key);
        Assert.Equal(new ResultSummary(command.Ref, CommandOutcome.Failed, 2, WriteStamp.Of(result)), waiting.Value);
        Assert.Empty(early.OpenCommands);
        Assert.Equal(1, early.Counters.Failed);

        var closed = early.Apply(command);

        Assert.Empty(closed.EarlyResults);
        Assert.Empty(closed.OpenCommands);
        Assert.Equal(Apply(command, result).Digest(), closed.Digest());
    }

    [Fact]
    public void Should_keep_the_latest_result_by_write_stamp_whatever_the_order()
    {
        var first = Command(Origin.Device, 1, At(0), "a");
        var second = Command(Origin.Mirror, 1, At(0), "b");
        var firstResult = Result(2, At(5), first.Ref);
        var secondResult = Result(3, At(3), second.Ref, CommandOutcome.Refused, 126);

        Assert.Equal(first.Ref, Apply(first, second, firstResult, secondResult).LatestResult!.Command);
        Assert.Equal(first.Ref, Apply(secondResult, firstResult, second, first).LatestResult!.Command);
    }

    // ----- cancellation -----

    [Fact]
    public void Should_mark_an_open_mirror_command_cancel_requested()
    {
        var command = Command(Origin.Mirror, 1, At(0), "reboot");
        var cancel = Cancel(2, At(1), command.Sequence);

        var state = Apply(command, cancel);

        Assert.True(state.OpenCommands[command.Ref].CancelRequested);
        Assert.Equal(0, state.Counters.Total);
    }

    [Fact]
    public void Should_close_a_cancel_requested_command_with_its_result()
    {
        var command = Command(Origin.Mirror, 1, At(0), "reboot");
        var cancel = Cancel(2, At(1), command.Sequence);
        var result = Result(1, At(2), command.Ref, CommandOutcome.Cancelled);

        var cancelThenResult = Apply(command, cancel, result);
        var resultThenCancel = Apply(command, result, cancel);

        Assert.Empty(cancelThenResult.OpenCommands);
        Assert.Equal(1, cancelThenResult.Counters.Cancelled);
        Assert.Equal(cancelThenResult.Digest(), resultThenCancel.Digest());
    }

    [Fact]
    public void Should_ignore_a_cancel_of_a_command_that_is_not_open()
    {
        var command = Command(Origin.Mirror, 1, At(0), "reboot");
        var closed = Apply(command, Result(1, At(1), command.Ref));

        var state = closed.Apply(Cancel(2, At(2), command.Sequence));

        Assert.Same(closed, state);
    }

    // ----- digest -----

    [Fact]
    public void Should_give_equal_digests_for_equal_states_reached_in_different_orders()
    {
        var deviceSet = Command(Origin.Device, 1, At(0), "set", "mode", "eco");
        var deviceCommand = Command(Origin.Device, 2, At(1), "uptime");
        var mirrorSet = Command(Origin.Mirror, 1, At(1), "set", "level", "3");
        var mirrorCommand = Command(Origin.Mirror, 2, At(2), "reboot");
        var result = Result(3, At(3), mirrorCommand.Ref);

        var one = Apply(deviceSet, deviceCommand, mirrorSet, mirrorCommand, result);
        var two = Apply(mirrorSet, mirrorCommand, deviceSet, deviceCommand, result);
        var three = Apply(deviceSet, deviceCommand, result, mirrorSet, mirrorCommand);

        Assert.Equal(one.Digest(), two.Digest());
        Assert.Equal(one.Digest(), three.Digest());
        Assert.Equal(one.Digest(), one.Digest());
    }

    public static TheoryData<string> StateDifferences =>
    [
        "property value", "property stamp", "property origin", "extra property", "tombstone", "open command",
        "open command argv", "open command not-after", "cancel requested", "early result", "counter", "latest result",
    ];

    [Theory]
    [MemberData(nameof(StateDifferences))]
    public void Should_give_different_digests_when_one_part_of_the_state_differs(string difference)
    {
        var set = Command(Origin.Device, 1, At(0), "set", "mode", "eco");
        var localCommand = Command(Origin.Device, 2, At(1), "uptime");
        var localResult = Result(3, At(2), localCommand.Ref);
        var mirrorCommand = Command(Origin.Mirror, 1, At(0), "reboot");
        var baseline = Apply(set, localCommand, localResult, mirrorCommand);

        var changed = difference switch
        {
            "property value" => Apply(Command(Origin.Device, 1, At(0), "set", "mode", "eco2"), localCommand, localResult, mirrorCommand),
            "property stamp" => Apply(Command(Origin.Device, 1, At(0, 1), "set", "mode", "eco"), localCommand, localResult, mirrorCommand),
            "property origin" => Apply(Command(Origin.Mirror, 1, At(0), "set", "mode", "eco"), localCommand, localResult, mirrorCommand),
            "extra property" => baseline.Apply(Command(Origin.Device, 4, At(3), "set", "other", "")),
            "tombstone" => baseline.Apply(Command(Origin.Device, 4, At(3), "unset", "absent")),
            "open command" => baseline.Apply(Command(Origin.Device, 4, At(3), "df")),
            "open command argv" => Apply(set, localCommand, localResult, Command(Origin.Mirror, 1, At(0), "reboot", "now")),
            "open command not-after" => Apply(set, localCommand, localResult,
                LogEntry.NewCommand(Before(1), Origin.Mirror, At(0), "Mirror", ["reboot"], notAfterUnixMs: T)),
            "cancel requested" => baseline.Apply(Cancel(2, At(3), mirrorCommand.Sequence)),
            "early result" => baseline.Apply(Result(4, At(3), new CommandRef(Origin.Mirror, 7))) with
            {
                Counters = baseline.Counters, LatestResult = baseline.LatestResult,
            },
            "counter" => baseline with { Counters = baseline.Counters.Count(CommandOutcome.Failed) },
            "latest result" => baseline with { LatestResult = baseline.LatestResult! with { ExitCode = 1 } },
            _ => throw new ArgumentOutOfRangeException(nameof(difference)),
        };

        Assert.NotEqual(baseline.Digest(), changed.Digest());
    }
}
