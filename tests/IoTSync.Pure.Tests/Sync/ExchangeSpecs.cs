using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Protocol;
using IoTSync.Sync;
using Xunit;

namespace IoTSync.Tests.Sync;

/// <summary>The exchange between a mirror and a device, over an in-memory transport, without actors.</summary>
public sealed class ExchangeSpecs
{
    [Fact]
    public async Task Should_converge_with_nothing_to_do_when_both_sides_are_empty()
    {
        var rig = await SyncRig.Create();

        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(0, report.EntriesPushed);
        Assert.Equal(0, report.EntriesPulled);
        Assert.Equal(report.MirrorView!.StateDigest, report.DeviceView!.StateDigest);
        Assert.Equal(report.MirrorView, report.DeviceView);
        Assert.Equal(0, rig.MirrorJournal.Count);
        Assert.Equal(0, rig.DeviceJournal.Count);
        Assert.Equal([typeof(Hello), typeof(Done)], rig.Channel!.Requests.Select(r => r.GetType()));
    }

    [Fact]
    public async Task Should_converge_with_nothing_to_do_when_both_sides_are_already_in_sync()
    {
        var rig = await SyncRig.Create();
        rig.MirrorSide.Set("mode", "eco");
        rig.MirrorSide.Submit("reboot");
        await rig.DeviceSide.Exec("uptime");
        await rig.Converge();
        var mirrorEvents = rig.MirrorJournal.Count;
        var deviceEvents = rig.DeviceJournal.Count;

        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(0, report.EntriesPushed);
        Assert.Equal(0, report.EntriesPulled);
        Assert.Equal(report.MirrorView!.StateDigest, report.DeviceView!.StateDigest);
        Assert.Equal(mirrorEvents, rig.MirrorJournal.Count);
        Assert.Equal(deviceEvents, rig.DeviceJournal.Count);
        Assert.Equal([typeof(Hello), typeof(Done)], rig.Channel!.Requests.Select(r => r.GetType()));
    }

    [Fact]
    public async Task Should_pull_everything_when_only_the_device_wrote()
    {
        var rig = await SyncRig.Create();
        await rig.DeviceSide.Exec("uptime");
        await rig.DeviceSide.Set("mode", "eco");
        await rig.DeviceSide.Exec("df", "-h");
        await rig.DeviceSide.Set("fan", "on");
        var deviceLog = rig.DeviceSide.DeviceLog;
        Assert.Equal(6, deviceLog.Count); // two commands, two results, two sets

        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(0, report.EntriesPushed);
        Assert.Equal(6, report.EntriesPulled);
        Assert.Equal(deviceLog.Hashes(), rig.MirrorSide.DeviceLogReplica.Hashes());
        Assert.Equal(rig.DeviceSide.State.Logs.View, rig.MirrorSide.State.Logs.View);
        Assert.Equal(report.MirrorView!.StateDigest, report.DeviceView!.StateDigest);
        Assert.Equal("eco", rig.MirrorSide.State.Logs.Model.Get("mode"));
        Assert.Equal("on", rig.MirrorSide.State.Logs.Model.Get("fan"));
        Assert.Equal(2, rig.MirrorSide.State.Logs.Model.Counters.Executed);
        rig.AssertConvergedInvariants();
    }

    [Fact]
    public async Task Should_push_run_and_pull_the_results_in_the_same_exchange_when_only_the_mirror_wrote()
    {
        var rig = await SyncRig.Create();
        var reboot = rig.MirrorSide.Submit("reboot", "now");
        var mode = rig.MirrorSide.Set("mode", "turbo");
        var df = rig.MirrorSide.Submit("df", "-h");
        Assert.Equal(CommandStatus.Pending, rig.MirrorSide.State.StatusOf(reboot.Sequence));

        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(3, report.EntriesPushed);
        Assert.Equal(2, report.EntriesPulled);
        Assert.Equal(["reboot now", "df -h"], rig.Runner.Calls.Select(c => string.Join(' ', c)));
        var results = rig.MirrorSide.DeviceLogReplica;
        Assert.Collection(results,
            r => AssertExecuted(r, reboot),
            r => AssertExecuted(r, df));
        Assert.Equal(CommandStatus.Resolved, rig.MirrorSide.State.StatusOf(reboot.Sequence));
        Assert.Equal(CommandStatus.Resolved, rig.MirrorSide.State.StatusOf(df.Sequence));
        Assert.Equal(CommandStatus.Resolved, rig.MirrorSide.State.StatusOf(mode.Sequence));
        Assert.Equal(3, rig.MirrorSide.State.DeliveredThrough);
        Assert.Empty(rig.MirrorSide.State.Logs.Model.OpenCommands);
        Assert.Empty(rig.DeviceSide.State.Logs.Model.OpenCommands);
        Assert.Equal("turbo", rig.DeviceSide.State.Logs.Model.Get("mode"));
        Assert.Equal(report.MirrorView!.StateDigest, report.DeviceView!.StateDigest);
        rig.AssertConvergedInvariants();
    }

    [Fact]
    public async Task Should_carry_both_directions_in_one_exchange_and_pick_the_same_last_writer_on_both_sides()
    {
        var rig = await SyncRig.Create();
        // Same HLC time on both sides: the mirror's write wins on origin.
        rig.MirrorSide.Set("mode", "turbo");
        await rig.DeviceSide.Set("mode", "eco");
        // The device's clock is later: the device's write wins on time.
        rig.DeviceClock.Advance(5_000);
        rig.MirrorClock.Advance(1_000);
        rig.MirrorSide.Set("fan", "low");
        await rig.DeviceSide.Set("fan", "high");
        // The mirror's clock is later: the mirror's unset wins.
        rig.MirrorClock.Advance(10_000);
        await rig.DeviceSide.Set("led", "red");
        rig.MirrorSide.Unset("led");
        var mirrorCommand = rig.MirrorSide.Submit("reboot");
        var (deviceCommand, _) = await rig.DeviceSide.Exec("uptime");

        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(4, report.EntriesPushed);
        Assert.Equal(6, report.EntriesPulled); // 3 sets, uptime and its result, reboot's result
        Assert.Equal(1, rig.Runner.CountOf(mirrorCommand.Argv));
        Assert.Equal(1, rig.Runner.CountOf(deviceCommand.Argv));
        foreach (var model in new[] { rig.MirrorSide.State.Logs.Model, rig.DeviceSide.State.Logs.Model })
        {
            Assert.Equal("turbo", model.Get("mode"));
            Assert.Equal("high", model.Get("fan"));
            Assert.Null(model.Get("led"));
        }
        Assert.Equal(report.MirrorView!.StateDigest, report.DeviceView!.StateDigest);
        rig.AssertConvergedInvariants();
    }

    [Fact]
    public async Task Should_use_several_rounds_when_batches_exceed_the_batch_limit()
    {
        var rig = await SyncRig.Create(new ExchangeSettings(MaxBatchEntries: 3));
        for (var i = 0; i < 10; i++)
        {
            rig.MirrorSide.Set($"m{i}", $"{i}");
            await rig.DeviceSide.Set($"d{i}", $"{i}");
        }

        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(10, report.EntriesPushed);
        Assert.Equal(10, report.EntriesPulled);
        var pushes = rig.Channel!.Requests.OfType<PushEntries>().ToList();
        Assert.Equal([3, 3, 3, 1], pushes.Select(p => p.Entries.Length));
        Assert.Equal(4, rig.Count<PullRequest>());
        Assert.All(rig.Channel.Answers.OfType<PulledEntries>(), p => Assert.InRange(p.Entries.Length, 1, 3));
        Assert.Equal(10, rig.Channel.Answers.OfType<PulledEntries>().Sum(p => p.Entries.Length));
        Assert.Equal(20, rig.MirrorSide.State.Logs.Model.LiveProperties.Count());
        rig.AssertConvergedInvariants();
    }

    [Fact]
    public async Task Should_pull_results_of_pushed_commands_over_several_rounds()
    {
        var rig = await SyncRig.Create(new ExchangeSettings(MaxBatchEntries: 3));
        var commands = Enumerable.Range(0, 10).Select(i => rig.MirrorSide.Submit("echo", $"m{i}")).ToList();
        for (var i = 0; i < 10; i++)
            await rig.DeviceSide.Exec("echo", $"d{i}");

        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(10, report.EntriesPushed);
        Assert.Equal(30, report.EntriesPulled); // 10 device commands, their 10 results, 10 results of the mirror's
        Assert.Equal(10, rig.Count<PullRequest>());
        Assert.All(commands, c => Assert.Equal(CommandStatus.Resolved, rig.MirrorSide.State.StatusOf(c.Sequence)));
        Assert.Equal(20, rig.Runner.Calls.Count);
        rig.AssertConvergedInvariants();
    }

    [Fact]
    public async Task Should_not_pull_more_than_the_device_allows_per_batch()
    {
        var rig = await SyncRig.Create(new ExchangeSettings(MaxBatchEntries: 100));
        for (var i = 0; i < 7; i++)
            await rig.DeviceSide.Set($"d{i}", "x");

        var report = await rig.Exchange(deviceSettings: new ExchangeSettings(MaxBatchEntries: 2));

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(7, report.EntriesPulled);
        Assert.Equal([2, 2, 2, 1], rig.Channel!.Answers.OfType<PulledEntries>().Select(p => p.Entries.Length));
        rig.AssertConvergedInvariants();
    }

    [Fact]
    public async Task Should_record_an_expired_result_without_running_a_command_past_its_not_after_time()
    {
        var rig = await SyncRig.Create();
        var expired = rig.MirrorSide.Submit(["reboot"], notAfterUnixMs: SyncRig.Start + 1_000);
        var timely = rig.MirrorSide.Submit(["uptime"], notAfterUnixMs: SyncRig.Start + 60_000);
        rig.DeviceClock.Advance(30_000); // the device's clock says: past the first, before the second

        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(0, rig.Runner.CountOf(expired.Argv));
        Assert.Equal(1, rig.Runner.CountOf(timely.Argv));
        var results = rig.MirrorSide.DeviceLogReplica;
        Assert.Equal(CommandOutcome.Expired, results.Single(r => r.Target == expired.Ref).Result!.Outcome);
        Assert.Equal(CommandOutcome.Executed, results.Single(r => r.Target == timely.Ref).Result!.Outcome);
        Assert.Equal(CommandStatus.Resolved, rig.MirrorSide.State.StatusOf(expired.Sequence));
        Assert.Equal(1, rig.MirrorSide.State.Logs.Model.Counters.Expired);
        rig.AssertConvergedInvariants();
    }

    [Fact]
    public async Task Should_record_a_cancelled_result_without_running_a_command_cancelled_before_it_was_pushed()
    {
        var rig = await SyncRig.Create();
        var cancelled = rig.MirrorSide.Submit("reboot");
        var kept = rig.MirrorSide.Submit("uptime");
        rig.MirrorSide.Cancel(cancelled.Sequence);

        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(3, report.EntriesPushed);
        Assert.Single(rig.Channel!.Requests.OfType<PushEntries>()); // command and cancel travelled together
        Assert.Equal(0, rig.Runner.CountOf(cancelled.Argv));
        Assert.Equal(1, rig.Runner.CountOf(kept.Argv));
        var results = rig.MirrorSide.DeviceLogReplica;
        Assert.Equal(CommandOutcome.Cancelled, results.Single(r => r.Target == cancelled.Ref).Result!.Outcome);
        Assert.Equal(CommandOutcome.Executed, results.Single(r => r.Target == kept.Ref).Result!.Outcome);
        Assert.Contains((cancelled.Ref, CommandDecision.RecordCancelled), rig.DeviceSide.Decisions);
        Assert.Equal(1, rig.DeviceSide.State.Logs.Model.Counters.Cancelled);
        rig.AssertConvergedInvariants();
    }

    [Fact]
    public async Task Should_not_change_the_outcome_of_a_command_that_ran_before_its_cancel_arrived()
    {
        var rig = await SyncRig.Create();
        var command = rig.MirrorSide.Submit("reboot");
        // The device received it and ran it, but the answer was lost: the mirror still sees it open.
        await Assert.ThrowsAsync<IOException>(() => rig.Exchange(c => c.Cut = (2, ChannelCut.AfterHandling)));
        await rig.Restart();
        Assert.Equal(1, rig.Runner.CountOf(command.Argv));
        Assert.Equal(CommandStatus.Pending, rig.MirrorSide.State.StatusOf(command.Sequence));
        rig.MirrorSide.Cancel(command.Sequence);

        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(1, rig.Runner.CountOf(command.Argv));
        Assert.Equal(CommandOutcome.Executed, rig.MirrorSide.DeviceLogReplica.Single(r => r.Target == command.Ref).Result!.Outcome);
        rig.AssertConvergedInvariants();
    }

    [Fact]
    public async Task Should_push_in_the_same_exchange_what_the_mirror_writes_while_it_pushes()
    {
        var rig = await SyncRig.Create(new ExchangeSettings(MaxBatchEntries: 1));
        rig.MirrorSide.Submit("echo", "m1");
        rig.MirrorSide.Submit("echo", "m2");
        var written = 0;

        var report = await rig.Exchange(wrap: inner => new TamperingChannel(inner, request: m =>
        {
            if (m is PushEntries && written++ == 0)
                rig.MirrorSide.Submit("echo", "late"); // an operator submits during the window
            return m;
        }));

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(3, report.EntriesPushed);
        Assert.Equal(1, rig.Runner.CountOf(["echo", "late"]));
        Assert.Equal(report.MirrorView, report.DeviceView);
        rig.AssertConvergedInvariants();
    }

    private static void AssertExecuted(LogEntry result, LogEntry command)
    {
        Assert.Equal(EntryKind.Result, result.Kind);
        Assert.Equal(command.Ref, result.Target);
        Assert.Equal(CommandOutcome.Executed, result.Result!.Outcome);
        Assert.Equal(FakeCommandRunner.OutputFor(command.Argv), result.Result.Output);
    }
}
