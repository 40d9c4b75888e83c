using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Security;
using Microsoft.Data.Sqlite;
using Xunit;
using static IoTSync.Device.HeartbeatSenderMessages;
using static IoTSync.Mirror.SshReplicatorMessages;
using static IoTSync.Mirror.StateJournalEvents;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Mirror;

internal sealed class FixedKeys(Dictionary<DeviceId, byte[]> keys, params DeviceId[] disabled) : IDeviceKeys, IDeviceAdmission
{
    public byte[]? KeyOf(DeviceId device) => keys.GetValueOrDefault(device);

    public DeviceStanding StandingOf(DeviceId device) =>
        disabled.Contains(device) ? DeviceStanding.Disabled : keys.ContainsKey(device) ? DeviceStanding.Enabled : DeviceStanding.NotEnrolled;
}

/// <summary>
/// The heartbeat path over real Akka.Remote on loopback: a mirror system with the listener, a
/// device system (bound to 127.0.0.1, port 0) with the sender, each persistent actor on its own
/// SQLite file.
/// </summary>
public sealed class HeartbeatSpecs : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static readonly DeviceId Device = new("dev-hb");
    private static readonly byte[] Key = Enumerable.Range(7, 32).Select(i => (byte)i).ToArray();
    private readonly SqliteTestDatabase _mirrorDb = new("mirror");
    private readonly SqliteTestDatabase _deviceDb = new("device");
    private readonly FakeWallClock _mirrorClock = new();
    private readonly FakeWallClock _deviceClock = new();
    private readonly List<ActorSystem> _systems = [];

    /// <summary>What the toggler sends the sender in a device's first window: a 30 s cycle, no window closed yet.</summary>
    private static readonly SendHeartbeat Window = new(TimeSpan.FromSeconds(30), null);

    private static Config Remote(bool mirror) => ConfigurationFactory.ParseString($$"""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0, tcp-nodelay = on }
        akka.remote.retry-gate-closed-for = 100ms
        akka.remote.untrusted-mode = {{(mirror ? "on" : "off")}}
        akka.remote.trusted-selection-paths = ["/user/heartbeat"]
        """);

    private (ActorSystem System, IActorRef Journals, TestProbe Replicator) StartMirror(Dictionary<DeviceId, byte[]>? keys = null,
        DeviceId[]? disabled = null, HeartbeatRate? rate = null)
    {
        var system = ActorSystem.Create("mirror", IoTSyncSystem.Setup(Remote(mirror: true).WithFallback(_mirrorDb.NodeConfig())));
        _systems.Add(system);
        var journals = system.ActorOf(StateJournals.Props(StateJournalSettings.Default with { Journal = _mirrorDb.LogHolder() }, _mirrorClock), "state-journals");
        var replicator = new TestProbe(system, new Akka.TestKit.Xunit2.XunitAssertions());
        var fixedKeys = new FixedKeys(keys ?? new() { [Device] = Key }, disabled ?? []);
        system.ActorOf(HeartbeatListener.Props(fixedKeys, fixedKeys, journals, replicator.Ref, _mirrorClock,
            HeartbeatListenerSettings.Default with { TimeWindow = TimeSpan.FromSeconds(30), Rate = rate ?? HeartbeatRate.Default }), HeartbeatListener.Name);
        return (system, journals, replicator);
    }

    private async Task<IActorRef> StartDevice(ActorSystem mirror, TimeSpan? giveUpAfter = null, byte[]? key = null)
    {
        var system = ActorSystem.Create("device-" + Device.Value, IoTSyncSystem.Setup(Remote(mirror: false).WithFallback(_deviceDb.NodeConfig())));
        _systems.Add(system);
        var recorder = system.ActorOf(CommandRecorder.Props(Device,
            new CommandRecorderSettings("device", TimeSpan.FromSeconds(2), _deviceDb.LogHolder()), new FakeCommandRunner(), _deviceClock), "recorder");
        // The sender reads the recorder's view within its give-up bound; a recorder still recovering on a
        // loaded machine would end a short window before its first heartbeat.
        await recorder.Ask<SyncView>(LogHolderMessages.GetView.Instance, Timeout);
        var address = ((ExtendedActorSystem)mirror).Provider.DefaultAddress;
        return system.ActorOf(HeartbeatSender.Props(Device, new HeartbeatSenderSettings($"{address}/user/{HeartbeatListener.Name}", key ?? Key,
            TimeSpan.FromMilliseconds(100), giveUpAfter ?? TimeSpan.FromSeconds(5)), recorder, _deviceClock), "heartbeat-sender");
    }

    [Fact]
    public async Task Should_answer_none_when_in_step_and_sync_when_the_mirror_holds_something_new()
    {
        var (mirror, journals, replicator) = StartMirror();
        var sender = await StartDevice(mirror);

        var first = await sender.Ask<MirrorAnswered>(Window, Timeout);
        Assert.Equal(HeartbeatAction.None, first.Ack.Action);
        replicator.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        await journals.Ask<Submitted>(new SubmitCommand(Device, ["reboot"], "app", null), Timeout);
        var second = await sender.Ask<MirrorAnswered>(Window, Timeout);

        Assert.Equal(HeartbeatAction.Sync, second.Ack.Action);
        Assert.Equal(1, second.Ack.MirrorLog.Length);
        // A slow first answer can let a retry through too: each answered heartbeat asks for a session.
        var requested = replicator.ReceiveWhile(TimeSpan.FromSeconds(1), m => (SyncRequested)m, second.Attempts);
        Assert.All(requested, r => Assert.Equal(Device, r.Device));
        Assert.Contains(second.Ack.SessionId, requested.Select(r => r.SessionId));
    }

    [Fact]
    public async Task Should_report_the_mirror_unreachable_after_a_bounded_back_off_when_heartbeats_are_not_answered()
    {
        var (mirror, _, replicator) = StartMirror();
        var sender = await StartDevice(mirror, giveUpAfter: TimeSpan.FromSeconds(1), key: Enumerable.Repeat((byte)1, 32).ToArray());

        var outcome = await sender.Ask<MirrorUnreachable>(Window, Timeout);

        // Back-off from 100 ms, doubling, allows at most 4 heartbeats in a second; a loaded machine sends fewer.
        Assert.InRange(outcome.Attempts, 1, 4);
        Assert.True(outcome.Waited >= TimeSpan.FromSeconds(1));
        replicator.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Should_not_answer_a_device_that_is_not_enrolled()
    {
        var (mirror, _, replicator) = StartMirror(keys: new() { [new DeviceId("someone-else")] = Key });
        var sender = await StartDevice(mirror, giveUpAfter: TimeSpan.FromMilliseconds(500));

        var outcome = await sender.Ask<MirrorUnreachable>(Window, Timeout);

        // Heartbeats at 0, 100 and 300 ms; the last retry is timed for the 500 ms bound itself, and a
        // scheduler tick that fires a hair early sends a fourth. Never more.
        Assert.InRange(outcome.Attempts, 1, 4);
        Assert.True(outcome.Waited >= TimeSpan.FromMilliseconds(500));
        replicator.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Should_adopt_the_mirrors_time_when_the_device_clock_is_far_off()
    {
        var (mirror, _, _) = StartMirror();
        _deviceClock.UtcNowMs = _mirrorClock.UtcNowMs - 3_600_000;
        var sender = await StartDevice(mirror);

        var outcome = await sender.Ask<MirrorAnswered>(Window, Timeout);

        Assert.Equal(HeartbeatAction.None, outcome.Ack.Action);
        Assert.True(outcome.Attempts >= 2, $"{outcome.Attempts} attempts: the first heartbeat cannot have been accepted");
        Assert.InRange(outcome.ClockOffsetMs, 3_600_000 - 1_000, 3_600_000 + 1_000);
    }

    [Fact]
    public void Should_drop_a_replayed_heartbeat_and_answer_the_original()
    {
        var (mirror, _, _) = StartMirror();
        var probe = new TestProbe(mirror, new Akka.TestKit.Xunit2.XunitAssertions());
        var heartbeat = HeartbeatAuthenticator.Sign(new Heartbeat(Device, LogPosition.Empty(Device, Origin.Device),
            LogPosition.Empty(Device, Origin.Mirror), ApplicationState.Empty.Digest(), _mirrorClock.UtcNowMs, 30_000, null, HeartbeatAuthenticator.NewNonce(), ""), Key);
        var listener = mirror.ActorSelection($"/user/{HeartbeatListener.Name}");

        listener.Tell(heartbeat, probe.Ref);
        var ack = probe.ExpectMsg<HeartbeatAck>(Timeout);
        listener.Tell(heartbeat, probe.Ref);

        Assert.True(HeartbeatAuthenticator.HasValidMac(ack, Key));
        Assert.Equal(heartbeat.Nonce, ack.HeartbeatNonce);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task Should_refuse_sync_to_a_device_marked_diverged()
    {
        var (mirror, journals, replicator) = StartMirror();
        await journals.Ask<Acknowledged>(new MarkDiverged(Device, Origin.Device, Verdict.Fork, 2, "rewritten"), Timeout);
        var sender = await StartDevice(mirror);

        var outcome = await sender.Ask<MirrorAnswered>(Window, Timeout);

        Assert.Equal(HeartbeatAction.Refused, outcome.Ack.Action);
        Assert.Contains("Fork at 2", outcome.Ack.Reason);
        replicator.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Should_drop_remote_selections_of_anything_but_the_heartbeat_listener()
    {
        var (mirror, _, _) = StartMirror();
        mirror.ActorOf(Props.Create(() => new EchoActor()), "echo");
        var device = ActorSystem.Create("device-probe", IoTSyncSystem.Setup(Remote(mirror: false).WithFallback(_deviceDb.NodeConfig())));
        _systems.Add(device);
        var remoteProbe = new TestProbe(device, new Akka.TestKit.Xunit2.XunitAssertions());
        var localProbe = new TestProbe(mirror, new Akka.TestKit.Xunit2.XunitAssertions());
        var address = ((ExtendedActorSystem)mirror).Provider.DefaultAddress;

        mirror.ActorSelection("/user/echo").Tell(LogHolderMessages.GetView.Instance, localProbe.Ref);
        localProbe.ExpectMsg<LogHolderMessages.GetView>(Timeout);
        device.ActorSelection($"{address}/user/echo").Tell(LogHolderMessages.GetView.Instance, remoteProbe.Ref);

        remoteProbe.ExpectNoMsg(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Should_record_the_devices_cycle_and_previous_window_at_the_mirror_and_keep_them_after_a_restart()
    {
        var (mirror, journals, _) = StartMirror();
        var sender = await StartDevice(mirror);
        var previous = new WindowReport(6, 912, 140, "synced");

        var answered = await sender.Ask<MirrorAnswered>(new SendHeartbeat(TimeSpan.FromSeconds(45), previous), Timeout);

        Assert.Equal(HeartbeatAction.None, answered.Ack.Action);
        WindowList recorded = null!;
        await Polling.Until(async () =>
        {
            recorded = await journals.Ask<WindowList>(new GetWindows(Device, 10), Timeout);
            return recorded.TotalWindows >= 2;
        });
        Assert.Equal(new WindowRecord(6, null, previous, null), recorded.Windows[0]);
        Assert.Equal(new WindowRecord(7, _mirrorClock.UtcNowMs, null, null), recorded.Windows[1]);
        var state = await journals.Ask<StateJournalState>(new GetJournalState(Device), Timeout);
        Assert.Equal(45_000, state.History.CyclePeriodMs);

        await SqliteTestDatabase.Stop(mirror);
        var restarted = ActorSystem.Create("mirror-again", IoTSyncSystem.Setup(_mirrorDb.NodeConfig()));
        _systems.Add(restarted);
        var again = restarted.ActorOf(StateJournals.Props(StateJournalSettings.Default with { Journal = _mirrorDb.LogHolder() }, _mirrorClock), "state-journals");

        var afterRestart = await again.Ask<WindowList>(new GetWindows(Device, 10), Timeout);
        Assert.Equal(recorded.Windows.ToArray(), afterRestart.Windows.ToArray());
        Assert.Equal(recorded.TotalWindows, afterRestart.TotalWindows);
    }

    [Fact]
    public async Task Should_record_nothing_for_a_replayed_a_badly_signed_or_a_clock_skewed_heartbeat()
    {
        var (mirror, journals, _) = StartMirror();
        var probe = new TestProbe(mirror, new Akka.TestKit.Xunit2.XunitAssertions());
        var listener = mirror.ActorSelection($"/user/{HeartbeatListener.Name}");
        Heartbeat Signed(long sentAt, WindowReport? previous, byte[]? key = null) => HeartbeatAuthenticator.Sign(new Heartbeat(Device,
            LogPosition.Empty(Device, Origin.Device), LogPosition.Empty(Device, Origin.Mirror), ApplicationState.Empty.Digest(),
            sentAt, 30_000, previous, HeartbeatAuthenticator.NewNonce(), ""), key ?? Key);
        var original = Signed(_mirrorClock.UtcNowMs, null);
        listener.Tell(original, probe.Ref);
        probe.ExpectMsg<HeartbeatAck>(Timeout);
        await Polling.Until(() => Task.FromResult(RecordedHeartbeats() == 1));

        listener.Tell(original, probe.Ref);
        listener.Tell(Signed(_mirrorClock.UtcNowMs, new WindowReport(1, 10, 5, "forged"), Enumerable.Repeat((byte)9, 32).ToArray()), probe.Ref);
        listener.Tell(Signed(_mirrorClock.UtcNowMs - 3_600_000, new WindowReport(1, 10, 5, "skewed")), probe.Ref);
        Assert.Equal(HeartbeatAck.ClockSkew, probe.ExpectMsg<HeartbeatAck>(Timeout).Reason);
        // The listener handles its mailbox in order: once this one is recorded, the three before it were dealt with.
        var barrier = new WindowReport(1, 480, 70, "nothing to sync");
        listener.Tell(Signed(_mirrorClock.UtcNowMs, barrier), probe.Ref);
        Assert.Equal(HeartbeatAction.None, probe.ExpectMsg<HeartbeatAck>(Timeout).Action);
        await Polling.Until(() => Task.FromResult(RecordedHeartbeats() >= 2));

        Assert.Equal(2, RecordedHeartbeats());
        var windows = await journals.Ask<WindowList>(new GetWindows(Device, 10), Timeout);
        Assert.Equal([barrier], windows.Windows.Select(w => w.Device).OfType<WindowReport>());
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Should_refuse_a_disabled_devices_heartbeats_and_record_nothing()
    {
        var (mirror, journals, replicator) = StartMirror(disabled: [Device]);
        await journals.Ask<Submitted>(new SubmitCommand(Device, ["reboot"], "app", null), Timeout);
        var before = await journals.Ask<StateJournalState>(new GetJournalState(Device), Timeout);
        var sender = await StartDevice(mirror, giveUpAfter: TimeSpan.FromMilliseconds(500));

        var outcome = await sender.Ask<MirrorUnreachable>(Window, Timeout);

        Assert.InRange(outcome.Attempts, 1, 4);
        replicator.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(before, await journals.Ask<StateJournalState>(new GetJournalState(Device), Timeout));
        Assert.Equal(0, RecordedHeartbeats());
    }

    [Fact]
    public async Task Should_answer_a_devices_heartbeats_only_up_to_its_rate_limit()
    {
        // The mirror's clock stands still: the bucket never refills.
        var (mirror, _, _) = StartMirror(rate: new HeartbeatRate(3, TimeSpan.FromMinutes(1)));
        var device = ActorSystem.Create("device-flood", IoTSyncSystem.Setup(Remote(mirror: false).WithFallback(_deviceDb.NodeConfig())));
        _systems.Add(device);
        var probe = new TestProbe(device, new Akka.TestKit.Xunit2.XunitAssertions());
        var listener = device.ActorSelection($"{((ExtendedActorSystem)mirror).Provider.DefaultAddress}/user/{HeartbeatListener.Name}");

        for (var i = 0; i < 10; i++)
            listener.Tell(HeartbeatAuthenticator.Sign(new Heartbeat(Device, LogPosition.Empty(Device, Origin.Device), LogPosition.Empty(Device, Origin.Mirror),
                ApplicationState.Empty.Digest(), _mirrorClock.UtcNowMs, 30_000, null, HeartbeatAuthenticator.NewNonce(), ""), Key), probe.Ref);

        for (var i = 0; i < 3; i++)
            probe.ExpectMsg<HeartbeatAck>(Timeout);
        probe.ExpectNoMsg(TimeSpan.FromSeconds(1));
        // Heartbeats that came while an earlier one was decided were answered from that decision and recorded with it.
        await Polling.Until(() => Task.FromResult(RecordedHeartbeats() >= 1));
        Assert.InRange(RecordedHeartbeats(), 1, 3);
        _mirrorClock.Advance(60_000);
        // A heartbeat signed with another key spends nothing: only authenticated heartbeats take from the bucket.
        listener.Tell(HeartbeatAuthenticator.Sign(new Heartbeat(Device, LogPosition.Empty(Device, Origin.Device), LogPosition.Empty(Device, Origin.Mirror),
            ApplicationState.Empty.Digest(), _mirrorClock.UtcNowMs, 30_000, null, HeartbeatAuthenticator.NewNonce(), ""), new byte[32]), probe.Ref);
        listener.Tell(HeartbeatAuthenticator.Sign(new Heartbeat(Device, LogPosition.Empty(Device, Origin.Device), LogPosition.Empty(Device, Origin.Mirror),
            ApplicationState.Empty.Digest(), _mirrorClock.UtcNowMs, 30_000, null, HeartbeatAuthenticator.NewNonce(), ""), Key), probe.Ref);
        probe.ExpectMsg<HeartbeatAck>(Timeout);
    }

    [Fact]
    public void Should_answer_the_retries_that_came_while_a_heartbeat_was_decided_from_that_one_decision_and_record_them_once()
    {
        // Journals that answer only when told: the first heartbeat's decision is held while its retries arrive.
        var other = new DeviceId("dev-other");
        var (listener, journals, device) = ListenerOverProbeJournals("mirror-slow-journal", Device, other);
        var sent = Enumerable.Range(0, 3).Select(_ => HeartbeatAuthenticator.Sign(new Heartbeat(Device, LogPosition.Empty(Device, Origin.Device),
            LogPosition.Empty(Device, Origin.Mirror), ApplicationState.Empty.Digest(), _mirrorClock.UtcNowMs, 30_000, null, HeartbeatAuthenticator.NewNonce(), ""), Key)).ToList();

        foreach (var heartbeat in sent)
            listener.Tell(heartbeat, device.Ref);
        Assert.Equal(Device, journals.ExpectMsg<GetJournalState>(Timeout).Device);
        var firstAsk = journals.LastSender;
        // The listener handles its mailbox in order: another device's heartbeat, sent after the retries, is asked about
        // next only if the retries asked nothing.
        listener.Tell(HeartbeatAuthenticator.Sign(sent[0] with { Device = other, Nonce = HeartbeatAuthenticator.NewNonce(), Mac = "" }, Key), device.Ref);
        Assert.Equal(other, journals.ExpectMsg<GetJournalState>(Timeout).Device);
        firstAsk.Tell(StateJournalState.Empty(Device));
        var acks = Enumerable.Range(0, 3).Select(_ => device.ExpectMsg<HeartbeatAck>(Timeout)).ToList();

        Assert.Equal(sent.Select(h => h.Nonce).Order(), acks.Select(a => a.HeartbeatNonce).Order());
        Assert.All(acks, ack => Assert.True(HeartbeatAuthenticator.HasValidMac(ack, Key)));
        Assert.Single(acks.Select(a => a.Action).Distinct());
        Assert.Equal(Device, journals.ExpectMsg<RecordHeartbeat>(Timeout).Device);
        journals.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        device.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Should_ask_again_for_a_retry_once_the_decision_has_waited_long_and_answer_all_from_the_first_answer_that_comes()
    {
        // As when the journal's node died with the question: the first is never answered in time.
        var (listener, journals, device) = ListenerOverProbeJournals("mirror-lost-question", Device);
        Heartbeat Signed() => HeartbeatAuthenticator.Sign(new Heartbeat(Device, LogPosition.Empty(Device, Origin.Device),
            LogPosition.Empty(Device, Origin.Mirror), ApplicationState.Empty.Digest(), _mirrorClock.UtcNowMs, 30_000, null, HeartbeatAuthenticator.NewNonce(), ""), Key);

        var first = Signed();
        listener.Tell(first, device.Ref);
        journals.ExpectMsg<GetJournalState>(Timeout);
        var lostQuestion = journals.LastSender;
        _mirrorClock.Advance((long)ProbeListenerSettings.AskAgainAfter.TotalMilliseconds);
        var retry = Signed();
        listener.Tell(retry, device.Ref);
        journals.ExpectMsg<GetJournalState>(Timeout);
        journals.Reply(StateJournalState.Empty(Device));
        var acks = new[] { device.ExpectMsg<HeartbeatAck>(Timeout), device.ExpectMsg<HeartbeatAck>(Timeout) };
        lostQuestion.Tell(StateJournalState.Empty(Device));

        Assert.Equal(new[] { first.Nonce, retry.Nonce }.Order(), acks.Select(a => a.HeartbeatNonce).Order());
        journals.ExpectMsg<RecordHeartbeat>(Timeout);
        // The late answer to the first question decides nothing more.
        device.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        journals.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    private static readonly HeartbeatListenerSettings ProbeListenerSettings = HeartbeatListenerSettings.Default with { TimeWindow = TimeSpan.FromSeconds(30) };

    /// <summary>A listener whose journals are a probe that answers only when told, the devices' heartbeats keyed with <see cref="Key"/>, and a probe to send them from.</summary>
    private (IActorRef Listener, TestProbe Journals, TestProbe Device) ListenerOverProbeJournals(string systemName, params DeviceId[] devices)
    {
        var system = ActorSystem.Create(systemName, IoTSyncSystem.Setup(_mirrorDb.NodeConfig()));
        _systems.Add(system);
        var journals = new TestProbe(system, new Akka.TestKit.Xunit2.XunitAssertions());
        var keys = new FixedKeys(devices.ToDictionary(d => d, _ => Key), []);
        var listener = system.ActorOf(HeartbeatListener.Props(keys, keys, journals.Ref, ActorRefs.Nobody, _mirrorClock, ProbeListenerSettings));
        return (listener, journals, new TestProbe(system, new Akka.TestKit.Xunit2.XunitAssertions()));
    }

    /// <summary>The heartbeat events in the mirror's journal, read from the SQLite file.</summary>
    private long RecordedHeartbeats() =>
        _mirrorDb.ReadNumber("SELECT COUNT(*) FROM journal WHERE manifest = 'heartbeat-recorded' AND persistence_id = $id", WindowHistoryJournal.PersistenceIdPrefix + Device.Value);

    private sealed class EchoActor : ReceiveActor
    {
        public EchoActor() => ReceiveAny(message => Sender.Tell(message));
    }

    public void Dispose()
    {
        foreach (var system in _systems)
            system.Terminate().Wait(TimeSpan.FromSeconds(30));
        _mirrorDb.Dispose();
        _deviceDb.Dispose();
    }
}
