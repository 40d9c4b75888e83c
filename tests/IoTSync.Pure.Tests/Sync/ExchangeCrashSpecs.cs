using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Sync;
using IoTSync.Testing.Fakes;
using Xunit;

namespace IoTSync.Tests.Sync;

/// <summary>
/// An exchange cut at any step, both nodes restarted from their journals, and a second exchange:
/// the same logs as without the cut, no duplicates, no command run twice, one result each.
/// </summary>
public sealed class ExchangeCrashSpecs
{
    /// <summary>Hello, three pushes (5 mirror entries), four pulls (5 device entries + 3 results), done.</summary>
    private static readonly Type[] ReferenceSteps =
    [
        typeof(Hello),
        typeof(PushEntries), typeof(PushEntries), typeof(PushEntries),
        typeof(PullRequest), typeof(PullRequest), typeof(PullRequest), typeof(PullRequest),
        typeof(Done),
    ];

    private static readonly string[][] MirrorCommands = [["echo", "m1"], ["echo", "m2"], ["echo", "m3"]];

    /// <summary>Both sides wrote while apart; batches of 2 make every step happen more than once.</summary>
    private static async Task<SyncRig> Scenario()
    {
        var rig = await SyncRig.Create(new ExchangeSettings(MaxBatchEntries: 2));
        rig.MirrorSide.Set("mode", "turbo");
        rig.MirrorSide.Submit(MirrorCommands[0]);
        rig.MirrorSide.Submit(MirrorCommands[1]);
        rig.MirrorSide.Set("fan", "low");
        rig.MirrorSide.Submit(MirrorCommands[2]);
        await rig.DeviceSide.Exec("echo", "d1");
        await rig.DeviceSide.Set("mode", "eco");
        await rig.DeviceSide.Exec("echo", "d2");
        return rig;
    }

    public static TheoryData<int, ChannelCut> CutPoints()
    {
        var data = new TheoryData<int, ChannelCut>();
        for (var request = 1; request <= ReferenceSteps.Length; request++)
        {
            data.Add(request, ChannelCut.BeforeDelivery);
            data.Add(request, ChannelCut.AfterHandling);
        }
        return data;
    }

    [Fact]
    public async Task Should_take_the_reference_steps_when_nothing_fails()
    {
        var rig = await Scenario();

        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(ReferenceSteps, rig.Channel!.Requests.Select(r => r.GetType()));
        Assert.Equal(5, report.EntriesPushed);
        Assert.Equal(8, report.EntriesPulled);
        rig.AssertConvergedInvariants();
    }

    [Theory]
    [MemberData(nameof(CutPoints))]
    public async Task Should_converge_without_duplicates_or_reruns_after_a_cut_and_a_restart_of_both_sides(int request, ChannelCut when)
    {
        var rig = await Scenario();
        var reference = await ReferenceOutcome();

        await Assert.ThrowsAsync<IOException>(() => rig.Exchange(c => c.Cut = (request, when)));
        Assert.True(rig.Channel!.WasCut);
        await rig.Restart();
        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        rig.AssertConvergedInvariants();
        foreach (var argv in MirrorCommands)
            Assert.Equal(1, rig.Runner.CountOf(argv));
        Assert.All(rig.MirrorSide.DeviceLogReplica.Where(e => e.Kind == EntryKind.Result),
            r => Assert.Equal(CommandOutcome.Executed, r.Result!.Outcome));
        Assert.Equal(reference.MirrorLog, rig.MirrorSide.MirrorLog.Select(e => e.Hash));
        Assert.Equal(reference.DeviceLogShape, rig.DeviceSide.DeviceLog.Select(Shape));
        Assert.Equal(reference.Properties, rig.MirrorSide.State.Logs.Model.LiveProperties);
        for (var sequence = 1; sequence <= rig.MirrorSide.State.Logs.MirrorLog.Length; sequence++)
            Assert.Equal(CommandStatus.Resolved, rig.MirrorSide.State.StatusOf(sequence));
        Assert.Equal(rig.MirrorSide.State.Logs.MirrorLog.Length, rig.MirrorSide.State.DeliveredThrough);
    }

    [Fact]
    public async Task Should_converge_when_every_session_is_cut_one_step_later_than_the_one_before()
    {
        var rig = await Scenario();
        ExchangeReport? report = null;
        for (var request = 1; report is null; request++)
        {
            Assert.InRange(request, 1, 2 * ReferenceSteps.Length);
            try
            {
                report = await rig.Exchange(c => c.Cut = (request, request % 2 == 0 ? ChannelCut.AfterHandling : ChannelCut.BeforeDelivery));
            }
            catch (IOException)
            {
                await rig.Restart();
            }
        }

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        rig.AssertConvergedInvariants();
        foreach (var argv in MirrorCommands)
            Assert.Equal(1, rig.Runner.CountOf(argv));
    }

    public static TheoryData<int, DeviceCrashPoint> DeviceCrashPoints()
    {
        var data = new TheoryData<int, DeviceCrashPoint>();
        for (var command = 0; command < MirrorCommands.Length; command++)
        {
            data.Add(command, DeviceCrashPoint.AfterStarted);
            data.Add(command, DeviceCrashPoint.AfterRun);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(DeviceCrashPoints))]
    public async Task Should_record_a_command_a_device_crash_interrupted_with_its_runners_outcome_or_as_interrupted_and_never_run_it_again(int command, DeviceCrashPoint point)
    {
        var rig = await Scenario();
        var crashed = rig.MirrorSide.MirrorLog.Single(e => e.Argv.SequenceEqual(MirrorCommands[command]));
        rig.DeviceSide.CrashPlan = (crashed.Ref, point);

        await Assert.ThrowsAsync<SimulatedCrashException>(() => rig.Exchange());
        Assert.Contains(crashed.Ref, rig.DeviceSide.State.Started); // CommandStarted is durable, its result is not
        Assert.DoesNotContain(rig.DeviceSide.DeviceLog, e => e.Target == crashed.Ref);
        var runsAtCrash = rig.Runner.CountOf(crashed.Argv);
        Assert.Equal(point == DeviceCrashPoint.AfterRun ? 1 : 0, runsAtCrash);

        await rig.Restart();
        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        rig.AssertConvergedInvariants();
        Assert.Equal(runsAtCrash, rig.Runner.CountOf(crashed.Argv));
        Assert.Contains((crashed.Ref, CommandDecision.LearnOutcome), rig.DeviceSide.Decisions);
        var result = rig.MirrorSide.DeviceLogReplica.Single(e => e.Target == crashed.Ref).Result!;
        // It ran to its end before the crash: its real result, kept by the runner. It never started: interrupted.
        var expected = point == DeviceCrashPoint.AfterRun
            ? new ResultFields(CommandOutcome.Executed, 0, FakeCommandRunner.OutputFor(crashed.Argv), false, 1)
            : CommandRecorderState.ResultFor(CommandDecision.RecordInterrupted);
        Assert.Equal(expected, result);
        foreach (var other in MirrorCommands.Where((_, i) => i != command))
            Assert.Equal(1, rig.Runner.CountOf(other));
        Assert.Equal(point == DeviceCrashPoint.AfterRun ? 0 : 1, rig.MirrorSide.State.Logs.Model.Counters.Failed);
        Assert.Equal(CommandStatus.Resolved, rig.MirrorSide.State.StatusOf(crashed.Sequence));
    }

    [Theory]
    [InlineData(DeviceCrashPoint.AfterStarted)]
    [InlineData(DeviceCrashPoint.AfterRun)]
    public async Task Should_record_an_interrupted_local_command_with_its_runners_outcome_or_as_interrupted_and_mirror_that(DeviceCrashPoint point)
    {
        var rig = await SyncRig.Create();
        var local = new CommandRef(Origin.Device, rig.DeviceSide.State.Logs.DeviceLog.Length + 1);
        rig.DeviceSide.CrashPlan = (local, point);

        await Assert.ThrowsAsync<SimulatedCrashException>(() => rig.DeviceSide.Exec("fw-update", "--apply"));
        await rig.Restart();
        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        rig.AssertConvergedInvariants();
        Assert.Equal(point == DeviceCrashPoint.AfterRun ? 1 : 0, rig.Runner.CountOf(["fw-update", "--apply"]));
        var result = rig.MirrorSide.DeviceLogReplica.Single(e => e.Target == local);
        Assert.Equal(point == DeviceCrashPoint.AfterRun
            ? new ResultFields(CommandOutcome.Executed, 0, FakeCommandRunner.OutputFor(["fw-update", "--apply"]), false, 1)
            : CommandRecorderState.ResultFor(CommandDecision.RecordInterrupted), result.Result);
    }

    [Fact]
    public async Task Should_keep_the_pushed_entries_and_finished_results_of_a_push_the_device_crashed_in()
    {
        var rig = await SyncRig.Create();
        var first = rig.MirrorSide.Submit("echo", "first");
        var second = rig.MirrorSide.Submit("echo", "second");
        rig.DeviceSide.CrashPlan = (second.Ref, DeviceCrashPoint.AfterStarted);

        await Assert.ThrowsAsync<SimulatedCrashException>(() => rig.Exchange());

        // Stored before the crash, so kept: both mirror entries, first's result, second marked started.
        Assert.Equal(rig.MirrorSide.MirrorLog.Hashes(), rig.DeviceSide.MirrorLogReplica.Hashes());
        Assert.Single(rig.DeviceSide.DeviceLog, e => e.Target == first.Ref);
        Assert.Equal(2, rig.DeviceJournal.CountOf<CommandRecorderEvents.CommandStarted>());
        await rig.Restart();
        // The restart recorded the interruption before any exchange.
        Assert.Single(rig.DeviceSide.DeviceLog, e => e.Target == second.Ref);
        Assert.Empty(rig.DeviceSide.State.Started);

        var report = await rig.Exchange();
        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(0, report.EntriesPushed);
        Assert.Equal(2, report.EntriesPulled);
        Assert.Equal(1, rig.Runner.CountOf(first.Argv));
        Assert.Equal(0, rig.Runner.CountOf(second.Argv));
        rig.AssertConvergedInvariants();
    }

    private sealed record Outcome(IReadOnlyList<Sha256Hash> MirrorLog, IReadOnlyList<string> DeviceLogShape, IReadOnlyList<KeyValuePair<string, string>> Properties);

    /// <summary>What the scenario ends with when nothing fails.</summary>
    private static async Task<Outcome> ReferenceOutcome()
    {
        var rig = await Scenario();
        await rig.Converge();
        return new Outcome(
            [.. rig.MirrorSide.MirrorLog.Select(e => e.Hash)],
            [.. rig.DeviceSide.DeviceLog.Select(Shape)],
            [.. rig.MirrorSide.State.Logs.Model.LiveProperties]);
    }

    /// <summary>An entry without its timestamps and hashes: what was recorded, not when.</summary>
    private static string Shape(LogEntry entry) =>
        $"{entry.Sequence} {entry.Kind} {string.Join(' ', entry.Argv)} {entry.Target} {entry.Result?.Outcome} {entry.Result?.Output}";
}
