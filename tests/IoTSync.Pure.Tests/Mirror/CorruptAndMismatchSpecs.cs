using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using Xunit;
using static IoTSync.Mirror.StateJournalEvents;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Mirror;

/// <summary>
/// A device whose journal at the mirror is corrupt, and one whose state digests differ after an
/// agreeing exchange (issue 11, fault 4): what it is called, and what every request for it is answered.
/// </summary>
public sealed class CorruptAndMismatchSpecs
{
    private const long Last = 1_700_000_000_000;
    private const long Cycle = 30_000;
    private static readonly DeviceId Device = new("dev-a");
    private static readonly RecoveryFault Fault = new(Origin.Mirror, 2, 5, Verdict.BadHash, "hash does not match the entry's content");

    private static StateJournalState Heard() =>
        StateJournalState.Empty(Device).Apply(new HeartbeatRecorded(Last, Cycle, null), 1);

    private static SessionRecorded Session(string id, string outcome, string? error = null, SyncView? agreed = null) =>
        new(id, Last + 1, Last + 90, 89, 0, 0, null, outcome, error, agreed);

    [Fact]
    public void Should_call_a_device_with_a_corrupt_journal_corrupt_whatever_else_holds()
    {
        var corrupt = Heard() with { Corruption = Fault, Divergence = new DivergenceDetected(Origin.Device, Verdict.Fork, 1, "x", Last) };

        Assert.Equal("corrupt", Liveness.Of(corrupt, Last + 100 * Cycle, 3).Label);
        Assert.Equal(LivenessStatus.Corrupt, Liveness.Of(StateJournalState.Empty(Device) with { Corruption = Fault }, Last, 3).Status);
        Assert.Equal("journal corrupt: mirror log entry 2 (journal event 5): BadHash: hash does not match the entry's content", Liveness.ProblemOf(corrupt));
    }

    [Fact]
    public void Should_answer_every_request_for_a_corrupt_device_at_once_with_the_reason()
    {
        var corrupt = Heard() with { Corruption = Fault };

        var refused = Assert.IsType<SubmitRefused>(corrupt.CorruptAnswer(new SubmitCommand(Device, ["uptime"], "app", null)));
        Assert.Contains("mirror log entry 2 (journal event 5)", refused.Reason);
        Assert.IsType<SubmitRefused>(corrupt.CorruptAnswer(new CancelCommand(Device, 1, "app")));
        Assert.Same(corrupt, corrupt.CorruptAnswer(new GetJournalState(Device)));
        Assert.Equal(corrupt.Logs.View, corrupt.CorruptAnswer(new GetSyncView(Device)));
        Assert.Same(Acknowledged.Instance, corrupt.CorruptAnswer(new RecordHeartbeat(Device, new HeartbeatRecorded(Last, Cycle, null))));
        var failure = Assert.IsType<Akka.Actor.Status.Failure>(corrupt.CorruptAnswer(new GetCommandStatus(Device, 1)));
        Assert.Contains("corrupt: mirror log entry 2", failure.Cause.Message);
    }

    [Fact]
    public void Should_refuse_the_heartbeat_of_a_corrupt_device_with_the_reason()
    {
        var corrupt = Heard() with { Corruption = Fault };
        var heartbeat = new IoTSync.Protocol.Heartbeat(Device, corrupt.Logs.DeviceLog, corrupt.Logs.MirrorLog, corrupt.Logs.View.StateDigest, Last, Cycle, null, "n", "");

        var (action, reason) = IoTSync.Protocol.HeartbeatDecision.Decide(heartbeat, corrupt);

        Assert.Equal(IoTSync.Protocol.HeartbeatAction.Refused, action);
        Assert.Contains("mirror log entry 2", reason);
    }

    [Fact]
    public void Should_mark_a_digest_mismatch_until_an_exchange_agrees_again()
    {
        var agreed = StateJournalState.Empty(Device).Logs.View;

        var mismatched = Heard().Apply(Session("s1", "DigestMismatch", "same logs, digests differ: mirror aa, device bb"), 2);
        var failedSince = mismatched.Apply(Session("s2", SessionRecorded.Failed, "IOException: cut"), 3);
        var agreedSince = failedSince.Apply(Session("s3", "Converged", agreed: agreed), 4);

        Assert.Equal("same logs, digests differ: mirror aa, device bb", mismatched.Mismatch);
        Assert.Equal("mismatch", Liveness.Of(mismatched, Last + 1000, 3).Label);
        Assert.Equal("state digests differ: same logs, digests differ: mirror aa, device bb", Liveness.ProblemOf(mismatched));
        Assert.Equal(mismatched.Mismatch, failedSince.Mismatch);
        Assert.Null(agreedSince.Mismatch);
        Assert.NotEqual("mismatch", Liveness.Of(agreedSince, Last + 1000, 3).Label);
    }
}
