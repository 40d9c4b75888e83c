using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.TestKit;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using Xunit;
using static IoTSync.Device.CommandRecorderEvents;
using static IoTSync.Device.CommandRecorderMessages;
using static IoTSync.Logs.JournalSupervisorMessages;
using static IoTSync.Logs.LogHolderMessages;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Logs;

/// <summary>
/// A <see cref="JournalSupervisor"/> above a StateJournal and a CommandRecorder whose journal writes fail
/// (Akka.Persistence.TestKit's journal): requests are answered at once with the fault while the actor is
/// down, it is started again after the back-off and recovers, and it is healthy again once it has written.
/// </summary>
public sealed class JournalSupervisorSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly DeviceId Device = new("dev-s");
    private static readonly JournalRestartSettings QuickRestarts = new(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(1), 0);
    private static readonly Config TestJournalConfig = TestKitJournal.Config;

    private readonly ITestJournal _journal;
    private readonly FakeCommandRunner _runner = new();
    private readonly FakeWallClock _clock = new();

    public JournalSupervisorSpecs() : base(TestJournalConfig)
    {
        _journal = TestJournal.FromRef(Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null));
    }

    private IActorRef SupervisedJournal() =>
        Sys.ActorOf(JournalSupervisor.Props(StateJournal.Props(Device, StateJournalSettings.Default, _clock), "journal", Device.Value, QuickRestarts), "journal");

    private IActorRef SupervisedRecorder() =>
        Sys.ActorOf(JournalSupervisor.Props(CommandRecorder.Props(Device, new CommandRecorderSettings("device", TimeSpan.FromSeconds(5), LogHolderSettings.Default), _runner, _clock),
            "journal", Device.Value, QuickRestarts), "recorder");

    private JournalHealth Health(IActorRef supervisor)
    {
        supervisor.Tell(GetJournalHealth.Instance, TestActor);
        return ExpectMsg<JournalHealth>();
    }

    [Fact]
    public async Task Should_answer_at_once_with_the_fault_while_down_then_restart_recover_and_heal()
    {
        var journal = SupervisedJournal();
        journal.Tell(new SubmitCommand(Device, ["before"], "operator", null), TestActor);
        ExpectMsg<Submitted>();
        await _journal.OnWrite.Fail();

        journal.Tell(new SubmitCommand(Device, ["during"], "operator", null), TestActor);
        // Sent at once: it reaches the child while its write is pending and is lost when the child stops; answered all the same.
        journal.Tell(GetView.Instance, TestActor);
        var failed = ExpectMsg<Status.Failure>().Cause;
        Assert.IsType<JournalUnavailableException>(failed);
        Assert.StartsWith("journal unavailable: ", failed.Message);
        // The request in flight is answered either way: with the fault when it was lost in the stopping child,
        // with the view when the child still saw it (seen once on a quiet machine); never left to time out.
        var inFlight = ExpectMsg<object>(m => m is Status.Failure or SyncView);
        if (inFlight is Status.Failure lost)
            Assert.Equal(failed.Message, lost.Cause.Message);
        // Down: answered by the supervisor at once, with the same cause.
        journal.Tell(GetView.Instance, TestActor);
        Assert.Equal(failed.Message, ExpectMsg<Status.Failure>(TimeSpan.FromMilliseconds(250)).Cause.Message);
        Assert.Equal(failed.Message, Health(journal).Fault);

        await _journal.OnWrite.Pass();
        await AwaitAssertAsync(() =>
        {
            journal.Tell(GetView.Instance, TestActor);
            Assert.Equal(1, ExpectMsg<SyncView>().MirrorLog.Length);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
        // Restarted and recovered, but nothing written since: the fault is still reported.
        var restarted = Health(journal);
        Assert.Equal((failed.Message, false), (restarted.Fault, restarted.Down));

        journal.Tell(new SubmitCommand(Device, ["after"], "operator", null), TestActor);
        Assert.Equal(2, ExpectMsg<Submitted>().Entry.Sequence);
        Assert.Equal(JournalHealth.Healthy, Health(journal));
    }

    [Fact]
    public async Task Should_answer_a_local_command_whose_start_could_not_be_written_and_never_run_it()
    {
        var recorder = SupervisedRecorder();
        await _journal.OnWrite.SetInterceptorAsync(new FailOn<CommandStarted>());

        recorder.Tell(new RecordCommand(["reboot"], "operator"), TestActor);
        Assert.IsType<JournalUnavailableException>(ExpectMsg<Status.Failure>().Cause);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        await _journal.OnWrite.Pass();
        // Restarted, it finds the command open with no start and its caller gone: recorded as interrupted, not run.
        await AwaitAssertAsync(() =>
        {
            recorder.Tell(GetState.Instance, TestActor);
            var state = ExpectMsg<CommandRecorderState>();
            Assert.Equal(2, state.Logs.DeviceLog.Length);
            Assert.Equal(1, state.Logs.Model.Counters.Failed);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
        Assert.Empty(_runner.Ran);
        Assert.Equal(JournalHealth.Healthy, Health(recorder));
    }

    [Fact]
    public async Task Should_recover_again_after_a_back_off_when_the_store_cannot_be_read_for_now_never_calling_the_journal_corrupt()
    {
        var first = SupervisedJournal();
        first.Tell(new SubmitCommand(Device, ["kept"], "operator", null), TestActor);
        ExpectMsg<Submitted>();
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);
        await _journal.OnRecovery.SetInterceptorAsync(new StoreOutage());

        // Started while the store cannot be read (a persistence circuit breaker open under a recovery storm).
        var journal = Sys.ActorOf(JournalSupervisor.Props(StateJournal.Props(Device, StateJournalSettings.Default, _clock), "journal", Device.Value,
            QuickRestarts, StateJournalEntityAnswers(Device)), "journal-again");
        await AwaitAssertAsync(() =>
        {
            journal.Tell(new GetJournalState(Device), TestActor);
            var cause = ExpectMsg<Status.Failure>().Cause;
            Assert.IsType<JournalUnavailableException>(cause);
            Assert.Contains("Circuit Breaker is open", cause.Message);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));

        await _journal.OnRecovery.Pass();
        await AwaitAssertAsync(() =>
        {
            journal.Tell(new GetJournalState(Device), TestActor);
            var state = ExpectMsg<StateJournalState>();
            Assert.Null(state.Corruption);
            Assert.Equal(1, state.Logs.MirrorLog.Length);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
    }

    /// <summary>What a device's journal entity answers once its journal is given up (the spec expects never to see it).</summary>
    private static Func<IJournalGaveUp, object, object> StateJournalEntityAnswers(DeviceId device) =>
        (_, request) => (StateJournalState.Empty(device) with { Corruption = RecoveryFault.Failed(1, "given up") }).CorruptAnswer(request);

    /// <summary>Every recovery read fails as Akka.Persistence does while its circuit breaker is open.</summary>
    private sealed class StoreOutage : IJournalInterceptor
    {
        public Task InterceptAsync(IPersistentRepresentation message) =>
            throw new Akka.Pattern.OpenCircuitException("Circuit Breaker is open; calls are failing fast");
    }

    /// <summary>
    /// One router for the whole system, not a subscription per supervisor: a letter lost in a child reaches that
    /// child's supervisor alone, and a supervisor that stopped is no longer routed to.
    /// </summary>
    [Fact]
    public async Task Should_route_a_letter_lost_in_a_child_to_its_own_supervisor_alone()
    {
        var supervisors = Enumerable.Range(0, 3).Select(i => Sys.ActorOf(JournalSupervisor.Props(
            StateJournal.Props(new DeviceId($"dev-r{i}"), StateJournalSettings.Default, _clock), "journal", $"dev-r{i}", QuickRestarts), $"routed-{i}")).ToList();
        var children = new List<IActorRef>();
        foreach (var supervisor in supervisors)
        {
            // Answered once its PreStart ran, which started the child.
            Health(supervisor);
            children.Add(await Sys.ActorSelection(supervisor.Path / "journal").ResolveOne(TimeSpan.FromSeconds(5)));
        }
        var letters = LostLetters.Get(Sys);

        Assert.Equal(supervisors, children.Select(letters.SupervisorOf));
        Assert.Null(letters.SupervisorOf(TestActor));

        Watch(supervisors[1]);
        Sys.Stop(supervisors[1]);
        ExpectTerminated(supervisors[1]);
        Assert.Null(letters.SupervisorOf(children[1]));
        Assert.Equal(supervisors[2], letters.SupervisorOf(children[2]));
    }

    [Fact]
    public void Should_answer_health_as_healthy_from_an_unsupervised_log_holder()
    {
        var journal = Sys.ActorOf(StateJournal.Props(Device, StateJournalSettings.Default, _clock));
        Assert.Equal(JournalHealth.Healthy, Health(journal));
    }

    /// <summary>Fails the write of events of type <typeparamref name="T"/>, passes the others.</summary>
    private sealed class FailOn<T> : IJournalInterceptor
    {
        public Task InterceptAsync(IPersistentRepresentation message) =>
            message.Payload is T ? throw new InvalidOperationException($"{typeof(T).Name} not written") : Task.CompletedTask;
    }
}
