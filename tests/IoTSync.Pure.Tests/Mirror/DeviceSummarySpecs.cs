using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Serialization;
using Xunit;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.Tests.Mirror;

/// <summary>
/// <see cref="DeviceSummary.Of"/>: what a device's journal posts to the board holds what listings and the liveness judge
/// need, and judging the summary is judging the state it came from, for every status.
/// </summary>
public sealed class DeviceSummarySpecs
{
    private const long T0 = 1_700_000_000_000;
    private const long Cycle = 30_000;
    private static readonly DeviceId Device = new("dev-summary");

    private static StateJournalState WithCommand()
    {
        var state = StateJournalState.Empty(Device);
        var submitted = state.Decide(new StateJournalMessages.SubmitCommand(Device, ["echo", "hi"], "app", null), new HlcTimestamp(T0, 0), StateJournalSettings.Default);
        return submitted.Events.Aggregate(state, (s, e) => s.Apply(e, 1));
    }

    /// <summary>The same device in every standing the judge tells apart.</summary>
    public static TheoryData<string> Standings() => ["never-seen", "ok", "dark", "late", "failing", "diverged", "corrupt", "mismatch"];

    private static StateJournalState In(string standing)
    {
        var heard = WithCommand().Apply(new HeartbeatRecorded(T0, Cycle, new WindowReport(3, 900, 40, "synced"), "s-1"), 2);
        return standing switch
        {
            "never-seen" => WithCommand(),
            "ok" => heard,
            "dark" => heard.Apply(new SessionRecorded("s-1", T0 + 10, T0 + 400, 390, 1, 0, null, "Converged", null), 3),
            "late" => WithCommand().Apply(new HeartbeatRecorded(T0 - 10 * Cycle, Cycle, null), 2),
            "failing" => heard
                .Apply(new SessionRecorded("s-1", T0 + 10, T0 + 400, 390, 0, 0, null, SessionRecorded.Failed, "SshTransportException: reset"), 3)
                .Apply(new HeartbeatRecorded(T0 + Cycle, Cycle, null, "s-2"), 4)
                .Apply(new SessionRecorded("s-2", T0 + Cycle + 10, T0 + Cycle + 400, 390, 0, 0, null, SessionRecorded.Failed, "SshTransportException: reset again"), 5),
            "diverged" => heard.Apply(new DivergenceDetected(Origin.Device, Verdict.Fork, 2, "forked", T0), 3),
            "corrupt" => heard with { Corruption = new RecoveryFault(Origin.Device, 2, 7, Verdict.BadHash, "bad hash") },
            "mismatch" => heard.Apply(new SessionRecorded("s-1", T0 + 10, T0 + 400, 390, 0, 0, null, "DigestMismatch", "digest a vs b"), 3),
            _ => throw new ArgumentOutOfRangeException(nameof(standing)),
        };
    }

    [Theory]
    [MemberData(nameof(Standings))]
    public void Should_be_judged_as_the_state_it_summarises(string standing)
    {
        var state = In(standing);
        var summary = DeviceSummary.Of(state);
        var now = T0 + 5_000;

        var verdict = Liveness.Of(summary, now, 3, windowLimitMs: 10_000);

        Assert.Equal(standing, verdict.Label);
        Assert.Equal(Liveness.Of(state, now, 3, 10_000), verdict);
        Assert.Equal(Liveness.ProblemOf(state), Liveness.ProblemOf(summary));
        Assert.Equal(HealthChanges.DetailOf(state, verdict), HealthChanges.DetailOf(summary, verdict));
    }

    [Fact]
    public void Should_hold_the_log_heads_and_window_facts_a_listing_shows()
    {
        var state = In("ok") with { DeliveredThrough = 1 };

        var summary = DeviceSummary.Of(state);

        Assert.Equal(new DeviceSummary(Device, T0, Cycle, new WindowReport(3, 900, 40, "synced"), false, null, null, null, null,
            0, 1, 1, 1, state.Logs.View.StateDigest.ToString()), summary);
    }

    [Fact]
    public void Should_equal_the_summary_of_an_unchanged_state_and_differ_after_a_heartbeat()
    {
        var state = In("ok");

        Assert.Equal(DeviceSummary.Of(state), DeviceSummary.Of(state));
        Assert.NotEqual(DeviceSummary.Of(state), DeviceSummary.Of(state.Apply(new HeartbeatRecorded(T0 + Cycle, Cycle, null), 3)));
    }

    [Fact]
    public void Should_travel_between_nodes_through_the_codec_unchanged()
    {
        var summary = DeviceSummary.Of(In("corrupt"));

        var decoded = IoTSyncCodec.Decode(IoTSyncCodec.Encode(summary), IoTSyncCodec.ManifestOf(summary));

        Assert.Equal(summary, decoded);
    }
}
