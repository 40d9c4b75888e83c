using System.IO.Pipelines;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Sync;
using Xunit;
using static IoTSync.Device.CommandRecorderMessages;
using static IoTSync.Mirror.StateJournalEvents;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Sync;

/// <summary>
/// Entries bounded by their encoded bytes at both writers, batches by bytes as well as count
/// (issue 11, fault 1): escaped characters such as '&lt;' encode to six bytes each, so a batch
/// bounded by count alone outgrew the frame and stalled sync for good.
/// </summary>
public sealed class EntryBoundSpecs
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DeviceId Device = new("dev-1");
    private static readonly HlcTimestamp Now = new(1_700_000_000_000, 0);

    [Fact]
    public async Task Should_converge_over_small_frames_both_ways_when_entries_escape_to_six_times_their_bytes()
    {
        const int frame = 64 * 1024;
        var rig = await SyncRig.Create(new ExchangeSettings(256, TimeSpan.FromMilliseconds(100), MaxBatchBytes: 48 * 1024));
        var escaped = new string('<', 1500);
        for (var i = 0; i < 30; i++)
            rig.MirrorSide.Submit("echo", $"{escaped}{i}");
        for (var i = 0; i < 10; i++)
            await rig.DeviceSide.Exec("echo", $"{escaped}d{i}");
        Assert.True(rig.MirrorSide.MirrorLog.Sum(EntrySize.Of) > 4 * frame, "the mirror's backlog fits one frame: nothing to prove");

        var (toDevice, fromDevice) = (new Pipe(), new Pipe());
        var server = StreamExchangeServer.Serve(new DeviceExchange(rig.Device, rig.DeviceSide, rig.Settings),
            toDevice.Reader.AsStream(), fromDevice.Writer.AsStream(), None, maxFrameBytes: frame);
        var channel = new StreamExchangeChannel(toDevice.Writer.AsStream(), fromDevice.Reader.AsStream(), frame);
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var report = await new MirrorExchange(rig.Device, rig.MirrorSide, channel, rig.Settings).Run("escaped", bounded.Token);
        await toDevice.Writer.CompleteAsync();
        await server.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(30, report.EntriesPushed);
        Assert.Equal(rig.DeviceSide.DeviceLog.Count, rig.MirrorSide.DeviceLogReplica.Count);
        Assert.Equal(30, rig.Runner.Calls.Count(c => c[1].StartsWith(escaped, StringComparison.Ordinal) && !c[1].Contains('d', StringComparison.Ordinal)));
    }

    [Fact]
    public void Should_fit_a_batch_to_its_bytes_and_never_leave_it_empty()
    {
        var log = new TestLog(Device, Origin.Mirror);
        for (var i = 0; i < 10; i++)
            log.Command("echo", new string('<', 1000));
        var each = EntrySize.Of(log.Entries[0]);

        Assert.Equal(3, LogBatch.Fit(log.Entries, 3 * each + each / 2).Count);
        Assert.Equal(10, LogBatch.Fit(log.Entries, int.MaxValue).Count);
        Assert.Single(LogBatch.Fit(log.Entries, 1));
    }

    [Fact]
    public void Should_refuse_at_the_mirror_a_command_whose_entry_encodes_larger_than_the_bound_though_its_bytes_are_within_the_command_limit()
    {
        var limits = StateJournalSettings.Default with { Journal = LogHolderSettings.Default with { MaxEntryBytes = 4096 } };
        var decision = StateJournalState.Empty(Device).Decide(new SubmitCommand(Device, ["echo", new string('<', 1000)], "operator", null), Now, limits);

        Assert.Contains("bytes encoded; the limit is 4096", Assert.IsType<SubmitRefused>(decision.Reply).Reason);
        Assert.True(decision.WritesNothing);
        Assert.IsType<EntryAppended>(Assert.Single(StateJournalState.Empty(Device)
            .Decide(new SubmitCommand(Device, ["echo", new string('a', 1000)], "operator", null), Now, limits).Events));
    }

    [Fact]
    public void Should_refuse_at_the_device_a_command_whose_entry_encodes_larger_than_the_bound()
    {
        var (refusal, recorded) = CommandRecorderState.Empty(Device).Decide(new RecordCommand(["echo", new string('<', 1000)], "operator"), Now, maxEntryBytes: 4096);

        Assert.Contains("bytes encoded; the limit is 4096", refusal);
        Assert.Null(recorded);
    }

    [Fact]
    public void Should_cut_a_results_output_to_the_longest_start_that_fits_and_mark_it_truncated()
    {
        var state = CommandRecorderState.Empty(Device);
        var output = new string('<', 3000) + "tail";
        var result = new ResultFields(CommandOutcome.Executed, 0, output, false, 5);

        var entry = state.NewResult(Now, "device", new CommandRef(Origin.Mirror, 1), result, maxEntryBytes: 8192);

        Assert.True(EntrySize.Of(entry) <= 8192);
        Assert.True(entry.Result!.Truncated);
        Assert.StartsWith(entry.Result.Output, output, StringComparison.Ordinal);
        var oneMore = state.NewResult(Now, "device", new CommandRef(Origin.Mirror, 1), result with { Output = output[..(entry.Result.Output.Length + 1)] }, int.MaxValue);
        Assert.True(EntrySize.Of(oneMore) > 8192, "a longer start would have fitted");
        Assert.Same(result, state.NewResult(Now, "device", new CommandRef(Origin.Mirror, 1), result).Result);
    }

    [Fact]
    public void Should_call_a_device_failing_once_its_last_two_sessions_failed_the_same_way()
    {
        static SessionRecorded Session(string id, string? error) =>
            new(id, 1, 2, 1, 0, 0, null, error is null ? "Converged" : SessionRecorded.Failed, error);
        var failing = WindowHistory.Empty
            .Apply(Session("a", "FrameException: frame of 17000000 bytes exceeds 16777216"))
            .Apply(Session("b", "FrameException: frame of 17000100 bytes exceeds 16777216"));

        Assert.Equal("FrameException: frame of 17000100 bytes exceeds 16777216", failing.RepeatedSessionFailure);
        Assert.Null(failing.Apply(Session("c", null)).RepeatedSessionFailure);
        Assert.Null(failing.Apply(Session("c", "TaskCanceledException: A task was canceled.")).RepeatedSessionFailure);
        // Converged by other means (a failed session's writes were kept): the next heartbeat is answered with nothing to sync.
        Assert.NotNull(failing.Apply(new HeartbeatRecorded(3, 30_000, null, "session-d")).RepeatedSessionFailure);
        Assert.Null(failing.Apply(new HeartbeatRecorded(3, 30_000, null, "")).RepeatedSessionFailure);
        Assert.Equal(LivenessStatus.Failing, Liveness.Judge(1, 30_000, 2, 3, failing: true).Status);
        Assert.Equal(LivenessStatus.Diverged, Liveness.Judge(1, 30_000, 2, 3, diverged: true, failing: true).Status);
    }
}
