using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.TestKit;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using Xunit;
using static IoTSync.Device.CommandRecorderMessages;
using static IoTSync.Logs.LogHolderMessages;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Logs;

/// <summary>
/// Nothing is acknowledged before the journal has it: with Akka.Persistence.TestKit's journal
/// rejecting or failing writes, state, log length and replies stay as they were.
/// </summary>
public sealed class FailingJournalSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly DeviceId Device = new("dev-f");
    private static readonly Config TestJournalConfig = TestKitJournal.Config;

    private readonly ITestJournal _journal;
    private readonly FakeCommandRunner _runner = new();
    private readonly FakeWallClock _clock = new();
    private int _incarnation;

    public FailingJournalSpecs() : base(TestJournalConfig)
    {
        _journal = TestJournal.FromRef(Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null));
    }

    private IActorRef StateJournalActor() => Sys.ActorOf(StateJournal.Props(Device, StateJournalSettings.Default, _clock), $"journal-{_incarnation++}");

    private IActorRef RecorderActor() => Sys.ActorOf(CommandRecorder.Props(Device,
        new CommandRecorderSettings("device", TimeSpan.FromSeconds(5), LogHolderSettings.Default), _runner, _clock), $"recorder-{_incarnation++}");

    /// <summary>
    /// The caller of the failed write hears of it (a failure naming the fault, never an acknowledgement) and the
    /// actor stops; the two may arrive in either order (Terminated is a system message).
    /// </summary>
    private void ExpectFailureAndStop(IActorRef actor)
    {
        var heard = ReceiveN(2).ToList();
        Assert.Contains(heard, m => m is Terminated t && t.ActorRef.Equals(actor));
        Assert.Contains(heard, m => m is Status.Failure { Cause: JournalUnavailableException });
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Should_tell_an_exec_whose_command_was_recorded_that_it_was_when_its_start_cannot_be_written()
    {
        // Found by the nemesis soak: the disk filled between the command's entry and its start, and the exec
        // heard the bare "database full" though its command was in the log (a retry would have issued it twice).
        var recorder = RecorderActor();
        Watch(recorder);
        await _journal.OnWrite.FailOnType(typeof(CommandRecorderEvents.CommandStarted));

        recorder.Tell(new RecordCommand(["echo", "once"], "operator"), TestActor);

        var heard = ReceiveN(2).ToList();
        Assert.Contains(heard, m => m is Terminated t && t.ActorRef.Equals(recorder));
        var failure = Assert.Single(heard.OfType<Status.Failure>());
        Assert.StartsWith("recorded as d1, but the journal stopped before its outcome was written", failure.Cause.Message);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Should_not_acknowledge_a_rejected_command_and_keep_the_mirror_log_unchanged()
    {
        var journal = StateJournalActor();
        await _journal.OnWrite.Reject();

        journal.Tell(new SubmitCommand(Device, ["reboot"], "operator", null), TestActor);
        ExpectMsg<Status.Failure>();

        await _journal.OnWrite.Pass();
        journal.Tell(GetView.Instance, TestActor);
        Assert.Equal(0, ExpectMsg<SyncView>().MirrorLog.Length);
        journal.Tell(new SubmitCommand(Device, ["reboot"], "operator", null), TestActor);
        Assert.Equal(1, ExpectMsg<Submitted>().Entry.Sequence);
    }

    [Fact]
    public async Task Should_stop_on_a_failed_write_without_acknowledging_and_recover_without_the_entry()
    {
        var journal = StateJournalActor();
        Watch(journal);
        await _journal.OnWrite.Fail();

        journal.Tell(new SubmitCommand(Device, ["reboot"], "operator", null), TestActor);
        ExpectFailureAndStop(journal);

        await _journal.OnWrite.Pass();
        var recovered = StateJournalActor();
        recovered.Tell(GetState.Instance, TestActor);
        var state = ExpectMsg<StateJournalState>();
        Assert.Equal(0, state.Logs.MirrorLog.Length);
        Assert.Empty(state.Logs.Model.OpenCommands);
    }

    [Fact]
    public async Task Should_not_run_or_acknowledge_a_device_command_whose_write_was_rejected()
    {
        var recorder = RecorderActor();
        await _journal.OnWrite.Reject();

        recorder.Tell(new RecordCommand(["reboot"], "operator"), TestActor);
        ExpectMsg<Status.Failure>();

        await _journal.OnWrite.Pass();
        recorder.Tell(GetView.Instance, TestActor);
        Assert.Equal(0, ExpectMsg<SyncView>().DeviceLog.Length);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task Should_not_acknowledge_or_run_mirror_entries_whose_write_failed()
    {
        var recorder = RecorderActor();
        Watch(recorder);
        var command = LogEntry.NewCommand(LogPosition.Empty(Device, Origin.Mirror), Origin.Mirror, new HlcTimestamp(1, 0), "app", ["reboot"]);
        await _journal.OnWrite.Fail();

        recorder.Tell(new AppendMirrorEntries([command]), TestActor);
        ExpectFailureAndStop(recorder);

        await _journal.OnWrite.Pass();
        var recovered = RecorderActor();
        recovered.Tell(GetView.Instance, TestActor);
        var view = ExpectMsg<SyncView>();
        Assert.Equal(0, view.MirrorLog.Length);
        Assert.Equal(0, view.DeviceLog.Length);
        Assert.Empty(_runner.Ran);
    }
}
