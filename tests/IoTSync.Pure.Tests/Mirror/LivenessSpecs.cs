using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Protocol;
using Xunit;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.Tests.Mirror;

public sealed class LivenessSpecs
{
    private const long Last = 1_700_000_000_000;
    private const long Cycle = 30_000;

    [Theory]
    [InlineData(0, LivenessStatus.Ok, 0)]
    [InlineData(29_999, LivenessStatus.Ok, 0)]
    [InlineData(30_000, LivenessStatus.Ok, 1)]
    [InlineData(95_000, LivenessStatus.Ok, 3)]
    [InlineData(119_999, LivenessStatus.Ok, 3)]
    [InlineData(120_000, LivenessStatus.Late, 4)]
    [InlineData(3_600_000, LivenessStatus.Late, 120)]
    public void Should_call_a_device_late_once_it_missed_more_windows_than_allowed(long silentMs, LivenessStatus status, long missed)
    {
        var verdict = Liveness.Judge(Last, Cycle, Last + silentMs, lateAfterMissedWindows: 3);

        Assert.Equal(new LivenessVerdict(status, silentMs, missed), verdict);
    }

    [Theory]
    [InlineData(1, 59_999, LivenessStatus.Ok)]
    [InlineData(1, 60_000, LivenessStatus.Late)]
    [InlineData(10, 329_999, LivenessStatus.Ok)]
    [InlineData(10, 330_000, LivenessStatus.Late)]
    public void Should_move_the_boundary_with_the_setting(int lateAfter, long silentMs, LivenessStatus status)
    {
        Assert.Equal(status, Liveness.Judge(Last, Cycle, Last + silentMs, lateAfter).Status);
    }

    [Fact]
    public void Should_call_a_device_never_heard_from_never_seen_and_a_diverged_one_diverged_however_recent()
    {
        Assert.Equal(new LivenessVerdict(LivenessStatus.NeverSeen, 0, 0), Liveness.Judge(null, 0, Last, 3));
        Assert.Equal(LivenessStatus.Diverged, Liveness.Judge(Last, Cycle, Last + 1, 3, diverged: true).Status);
        Assert.Equal(LivenessStatus.Diverged, Liveness.Judge(Last, Cycle, Last + 10 * Cycle, 3, diverged: true).Status);
        Assert.Equal(LivenessStatus.Diverged, Liveness.Judge(null, 0, Last, 3, diverged: true).Status);
    }

    [Fact]
    public void Should_not_count_silence_when_the_mirror_clock_stepped_back_nor_judge_a_device_without_a_period()
    {
        Assert.Equal(new LivenessVerdict(LivenessStatus.Ok, 0, 0), Liveness.Judge(Last, Cycle, Last - 5_000, 3));
        Assert.Equal(new LivenessVerdict(LivenessStatus.Ok, 3_600_000, 0), Liveness.Judge(Last, 0, Last + 3_600_000, 3));
    }

    [Fact]
    public void Should_judge_what_a_state_journal_holds()
    {
        var device = new DeviceId("dev-live");
        var state = StateJournalState.Empty(device);
        Assert.Equal("never-seen", Liveness.Of(state, Last, 3).Label);

        state = state.Apply(new HeartbeatRecorded(Last, Cycle, new WindowReport(3, 500, 80, "synced")), 1);
        Assert.Equal("ok", Liveness.Of(state, Last + 2 * Cycle, 3).Label);
        Assert.Equal("late", Liveness.Of(state, Last + 4 * Cycle, 3).Label);

        state = state.Apply(new DivergenceDetected(Origin.Device, Verdict.Fork, 2, "forked", Last), 2);
        Assert.Equal("diverged", Liveness.Of(state, Last + 4 * Cycle, 3).Label);
    }
    [Theory]
    [InlineData(0, false, LivenessStatus.Ok)]
    [InlineData(999, false, LivenessStatus.Ok)]
    [InlineData(1_000, false, LivenessStatus.Dark)]
    [InlineData(10, true, LivenessStatus.Dark)]
    [InlineData(29_999, false, LivenessStatus.Dark)]
    [InlineData(120_000, true, LivenessStatus.Late)]
    public void Should_call_a_device_dark_once_its_window_closed_or_its_window_limit_passed_and_late_before_dark(long silentMs, bool closed, LivenessStatus status)
    {
        var verdict = Liveness.Judge(Last, Cycle, Last + silentMs, 3, windowLimitMs: 1_000, windowClosedSinceHeartbeat: closed);

        Assert.Equal(status, verdict.Status);
        Assert.Equal(silentMs, verdict.SilentForMs);
    }

    [Fact]
    public void Should_not_judge_dark_without_a_window_limit_nor_a_diverged_or_unseen_device()
    {
        Assert.Equal(LivenessStatus.Ok, Liveness.Judge(Last, Cycle, Last + 20_000, 3, windowClosedSinceHeartbeat: true).Status);
        Assert.Equal(LivenessStatus.Diverged, Liveness.Judge(Last, Cycle, Last + 20_000, 3, diverged: true, windowLimitMs: 1_000).Status);
        Assert.Equal(LivenessStatus.NeverSeen, Liveness.Judge(null, 0, Last, 3, windowLimitMs: 1_000).Status);
        Assert.Equal("dark", new LivenessVerdict(LivenessStatus.Dark, 1, 0).Label);
    }

    [Fact]
    public void Should_see_from_a_state_journal_whether_the_last_window_closed()
    {
        var device = new DeviceId("dev-dark");
        var state = StateJournalState.Empty(device);

        // Answered "nothing to sync": the device closed its window at once.
        state = state.Apply(new HeartbeatRecorded(Last, Cycle, null, ""), 1);
        Assert.Equal("dark", Liveness.Of(state, Last + 5, 3, windowLimitMs: 10_000).Label);

        // Answered "sync": open until its session is recorded, or until the window limit.
        state = state.Apply(new HeartbeatRecorded(Last + Cycle, Cycle, new WindowReport(1, 40, 10, "nothing to sync"), "s2"), 2);
        Assert.Equal("ok", Liveness.Of(state, Last + Cycle + 5, 3, windowLimitMs: 10_000).Label);
        Assert.Equal("dark", Liveness.Of(state, Last + Cycle + 10_000, 3, windowLimitMs: 10_000).Label);
        state = state.Apply(new SessionRecorded("s2", Last + Cycle + 1, Last + Cycle + 90, 89, 1, 1, null, "Converged", null), 3);
        Assert.Equal("dark", Liveness.Of(state, Last + Cycle + 100, 3, windowLimitMs: 10_000).Label);

        // An event recorded before answers were kept: only the window limit tells.
        state = state.Apply(new HeartbeatRecorded(Last + 2 * Cycle, Cycle, null), 4);
        Assert.Equal("ok", Liveness.Of(state, Last + 2 * Cycle + 5, 3, windowLimitMs: 10_000).Label);
    }
}
