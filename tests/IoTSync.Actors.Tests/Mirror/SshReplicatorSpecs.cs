using System.Collections.Concurrent;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Sync;
using Xunit;
using static IoTSync.Logs.LogHolderMessages;
using static IoTSync.Mirror.SshReplicatorMessages;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Mirror;

/// <summary>Opens in-process sessions to a real CommandRecorder, or fails or blocks as told.</summary>
internal sealed class InProcessOpener(Func<DeviceId, IActorRef> recorderOf) : IDeviceSessionOpener
{
    public ConcurrentQueue<DeviceId> Opened { get; } = new();

    public Exception? Failure { get; set; }

    public TaskCompletionSource? Gate { get; set; }

    public async Task<IDeviceSession> Open(DeviceListing device, CancellationToken cancellationToken)
    {
        Opened.Enqueue(device.Device);
        if (Failure is not null)
            throw Failure;
        if (Gate is not null)
            await Gate.Task.WaitAsync(cancellationToken);
        var endpoint = new DeviceExchange(device.Device, new CommandRecorderSide(recorderOf(device.Device), TimeSpan.FromSeconds(10)), ExchangeSettings.Default);
        return new Session(new CodecChannel(endpoint));
    }

    private sealed record Session(IExchangeChannel Channel) : IDeviceSession
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

public sealed class SshReplicatorSpecs : TestKit, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private static readonly DeviceId Device = new("dev-rep");
    private readonly SqliteTestDatabase _db = new();
    private readonly FakeCommandRunner _runner = new();
    private readonly DeviceKeyCache _registry = new();
    private readonly ActorSystem _node;
    private readonly IActorRef _journals;
    private readonly Dictionary<DeviceId, IActorRef> _recorders = [];
    private readonly InProcessOpener _opener;
    private readonly FakeWallClock _clock = new();

    public SshReplicatorSpecs()
    {
        _node = _db.Start();
        _journals = _node.ActorOf(StateJournals.Props(StateJournalSettings.Default with { Journal = _db.LogHolder() }, new FakeWallClock()), "journals");
        _opener = new InProcessOpener(Recorder);
        Enrol(Device);
    }

    private IActorRef Recorder(DeviceId device)
    {
        if (!_recorders.TryGetValue(device, out var recorder))
            _recorders[device] = recorder = _node.ActorOf(CommandRecorder.Props(device,
                new CommandRecorderSettings("device", TimeSpan.FromSeconds(5), _db.LogHolder()), _runner, new FakeWallClock()), "recorder-" + device.Value);
        return recorder;
    }

    private void Enrol(params DeviceId[] devices)
    {
        var state = DeviceRegistryMessages.RegistryState.Empty;
        foreach (var device in devices)
            state = state.Apply(new DeviceRegistryMessages.DeviceEnrolled(new EnrolledDevice(device, "127.0.0.1", 22, "iotsync",
                "SHA256:" + new string('A', 43), new string('1', 64), 0)));
        _registry.Replace(state);
    }

    private IActorRef Replicator(int maxSessions = 4) => Sys.ActorOf(SshReplicator.Props(_registry, _journals, _opener,
        new SshReplicatorSettings(maxSessions, Timeout, Timeout, ExchangeSettings.Default), TestActor, _clock));

    private async Task<StateJournalEvents.SessionRecorded> RecordedSession(DeviceId device)
    {
        var windows = await _journals.Ask<WindowList>(new GetWindows(device, 10), Timeout);
        return Assert.Single(windows.Windows).Session!;
    }

    private static SyncRequested Request(DeviceId device, string session = "s1") =>
        new(device, session, new Heartbeat(device, LogPosition.Empty(device, Origin.Device), LogPosition.Empty(device, Origin.Mirror), Sha256Hash.Zero, 0, 30_000, null, "", ""));

    [Fact]
    public async Task Should_run_a_requested_session_and_deliver_the_mirrors_command()
    {
        await _journals.Ask<Submitted>(new SubmitCommand(Device, ["uptime"], "app", null), Timeout);

        Replicator().Tell(Request(Device));

        var finished = ExpectMsg<SessionFinished>(Timeout);
        Assert.Null(finished.Error);
        Assert.Equal(ExchangeOutcome.Converged, finished.Report!.Outcome);
        Assert.Equal(["uptime"], _runner.Ran);
        var status = await _journals.Ask<CommandStatusReply>(new GetCommandStatus(Device, 1), Timeout);
        Assert.Equal(CommandOutcome.Executed, status.Outcome);
    }

    [Fact]
    public async Task Should_record_a_finished_session_in_the_devices_window_history()
    {
        await _journals.Ask<Submitted>(new SubmitCommand(Device, ["uptime"], "app", null), Timeout);
        var startedAt = _clock.UtcNowMs;
        _opener.Gate = new TaskCompletionSource();

        Replicator().Tell(Request(Device, "s-rec"));
        AwaitCondition(() => !_opener.Opened.IsEmpty);
        _clock.UtcNowMs += 1_234;
        _opener.Gate.SetResult();
        var finished = ExpectMsg<SessionFinished>(Timeout);

        var session = await RecordedSession(Device);
        Assert.Equal(("s-rec", "Converged", 1, 1, (string?)null), (session.SessionId, session.Outcome, session.EntriesPushed, session.EntriesPulled, session.Error));
        Assert.Equal((startedAt, startedAt + 1_234), (session.StartedAtUnixMs, session.EndedAtUnixMs));
        Assert.Equal((long)finished.Duration.TotalMilliseconds, session.DurationMs);
        Assert.Equal((await _journals.Ask<SyncView>(new GetSyncView(Device), Timeout)).StateDigest, session.StateDigest);
    }

    [Fact]
    public async Task Should_apply_nothing_when_the_session_cannot_be_opened()
    {
        await _journals.Ask<Submitted>(new SubmitCommand(Device, ["uptime"], "app", null), Timeout);
        _opener.Failure = new InvalidOperationException("host key mismatch");

        Replicator().Tell(Request(Device));

        var finished = ExpectMsg<SessionFinished>(Timeout);
        Assert.Contains("host key mismatch", finished.Error);
        // Whoever asked for the session (the listener) hears that it was given up, and why.
        var gaveUp = ExpectMsg<SessionGaveUp>(Timeout);
        Assert.Equal((Device, finished.SessionId), (gaveUp.Device, gaveUp.SessionId));
        Assert.Contains("host key mismatch", gaveUp.Reason);
        Assert.Empty(_runner.Ran);
        Assert.Equal(CommandStatus.Pending, (await _journals.Ask<CommandStatusReply>(new GetCommandStatus(Device, 1), Timeout)).Status);
        var session = await RecordedSession(Device);
        Assert.Equal((StateJournalEvents.SessionRecorded.Failed, 0, 0, (Sha256Hash?)null), (session.Outcome, session.EntriesPushed, session.EntriesPulled, session.StateDigest));
        Assert.Contains("host key mismatch", session.Error);
    }

    [Fact]
    public void Should_open_nothing_for_a_device_that_is_not_enrolled()
    {
        Replicator().Tell(Request(new DeviceId("stranger")));

        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Empty(_opener.Opened);
    }

    [Fact]
    public void Should_hold_to_its_session_bound_and_to_one_session_per_device()
    {
        var other = new DeviceId("dev-rep-2");
        Enrol(Device, other);
        _opener.Gate = new TaskCompletionSource();
        var replicator = Replicator(maxSessions: 1);
        // The requests come from the listener; what the replicator answers it goes there, not to the notifications.
        var listener = CreateTestProbe();

        replicator.Tell(Request(Device, "a"), listener);
        replicator.Tell(Request(Device, "b"), listener);
        replicator.Tell(Request(other, "c"), listener);
        AwaitAssert(() => Assert.Single(_opener.Opened));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        // The two it did not start are given up at once, so those devices need not wait for their window limit.
        Assert.Equal(("b", "c"), (listener.ExpectMsg<SessionGaveUp>().SessionId, listener.ExpectMsg<SessionGaveUp>().SessionId));
        _opener.Gate.SetResult();

        Assert.Equal("a", ExpectMsg<SessionFinished>(Timeout).SessionId);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal([Device], _opener.Opened);
    }

    [SkippableFact]
    public async Task Should_refuse_a_device_whose_ssh_host_key_is_not_the_enrolled_one_and_apply_nothing()
    {
        Skip.If(PrivateSshd.Unavailable() is not null, PrivateSshd.Unavailable());
        await using var sshd = await PrivateSshd.Start(directory => $"touch '{directory}/ran'; exec /bin/cat");
        var wrongKey = await PrivateSshd.Fingerprint(await sshd.NewKey("other_host_key") + ".pub");
        _registry.Replace(DeviceRegistryMessages.RegistryState.Empty.Apply(new DeviceRegistryMessages.DeviceEnrolled(
            new EnrolledDevice(Device, "127.0.0.1", sshd.Port, PrivateSshd.User, wrongKey.Value, new string('1', 64), 0))));
        await _journals.Ask<Submitted>(new SubmitCommand(Device, ["uptime"], "app", null), Timeout);
        var replicator = Sys.ActorOf(SshReplicator.Props(_registry, _journals, new IoTSync.Mirror.Ssh.SshSessionOpener(sshd.ClientKeyPath, TimeSpan.FromSeconds(10)),
            new SshReplicatorSettings(4, Timeout, Timeout, ExchangeSettings.Default), TestActor));

        replicator.Tell(Request(Device));

        var finished = ExpectMsg<SessionFinished>(Timeout);
        Assert.Contains("HostKeyMismatch", finished.Error);
        Assert.False(File.Exists(sshd.PathOf("ran")), "the device's sync command ran despite the wrong host key");
        Assert.Equal(CommandStatus.Pending, (await _journals.Ask<CommandStatusReply>(new GetCommandStatus(Device, 1), Timeout)).Status);
    }

    public new void Dispose()
    {
        _db.Dispose();
        base.Dispose();
    }
}
