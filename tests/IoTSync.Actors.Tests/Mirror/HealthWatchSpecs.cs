using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using Akka.TestKit.Xunit2;
using IoTSync.Tests.Mirror.Alerts;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Mirror.Alerts;
using IoTSync.Model;
using IoTSync.Protocol;
using Xunit;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.Tests.Mirror;

public sealed class HealthWatchSpecs : TestKit
{
    private const long T0 = 1_700_000_000_000;
    private const long Cycle = 30_000;
    private static readonly DeviceId Quiet = new("dev-quiet");
    private static readonly DeviceId Unseen = new("dev-unseen");
    private static readonly DeviceId Diverged = new("dev-diverged");
    private readonly FakeWallClock _clock = new(T0);
    private readonly ConcurrentDictionary<DeviceId, StateJournalState> _states = new();
    private readonly ConcurrentDictionary<DeviceId, int> _looks = new();
    private readonly ConcurrentDictionary<DeviceId, int> _asked = new();
    private readonly HashSet<DeviceId> _offBoard = [];
    private readonly ConcurrentQueue<string> _log = new();
    private readonly DeviceKeyCache _registry = new();

    public HealthWatchSpecs() : base("akka.loglevel = INFO")
    {
        var registry = DeviceRegistryMessages.RegistryState.Empty;
        foreach (var device in new[] { Quiet, Unseen, Diverged })
            registry = registry.Apply(new DeviceRegistryMessages.DeviceEnrolled(new EnrolledDevice(device, "127.0.0.1", 22, "iotsync",
                "SHA256:" + new string('A', 43), new string('1', 64), 0)));
        _registry.Replace(registry);
        CalledHome(Quiet, T0);
        _states[Diverged] = StateJournalState.Empty(Diverged)
            .Apply(new HeartbeatRecorded(T0 - 3_600_000, Cycle, null), 1)
            .Apply(new DivergenceDetected(Origin.Device, Verdict.Fork, 1, "forked", T0), 2);
        var collector = Sys.ActorOf(Props.Create(() => new LogCollector(_log)));
        Sys.EventStream.Subscribe(collector, typeof(LogEvent));
    }

    private void CalledHome(DeviceId device, long at) =>
        _states[device] = (_states.GetValueOrDefault(device) ?? StateJournalState.Empty(device)).Apply(new HeartbeatRecorded(at, Cycle, null), 1);

    private IActorRef Watch(TimeSpan? windowLimit = null) => Sys.ActorOf(HealthWatch.Props(_registry, new FakeBoard(_states, _looks, _offBoard),
        Sys.ActorOf(Props.Create(() => new FakeJournals(_states, _asked))), _clock, new HealthWatchSettings(3, TimeSpan.FromMilliseconds(50), windowLimit)));

    /// <summary>Waits until the watch has looked at the quiet device <paramref name="more"/> more times.</summary>
    private void AfterChecks(int more)
    {
        var target = _looks.GetValueOrDefault(Quiet) + more;
        AwaitCondition(() => _looks.GetValueOrDefault(Quiet) >= target, TimeSpan.FromSeconds(10));
    }

    private string[] Lines(string containing) => [.. _log.Where(l => l.Contains(containing, StringComparison.Ordinal))];

    [Fact]
    public void Should_warn_once_per_late_episode_and_say_so_when_the_device_calls_home_again()
    {
        _clock.UtcNowMs = T0 + 119_999;
        Watch();
        AfterChecks(3);
        Assert.Empty(Lines("LATE"));

        _clock.UtcNowMs = T0 + 125_000;
        AwaitCondition(() => Lines("LATE").Length > 0, TimeSpan.FromSeconds(10));
        AfterChecks(3);
        Assert.Equal(["Warning [dev-quiet] LATE: no heartbeat for 125 s, 4 windows missed (cycle 30 s)"], Lines("LATE"));

        CalledHome(Quiet, T0 + 130_000);
        _clock.UtcNowMs = T0 + 131_000;
        AwaitCondition(() => Lines("called home again").Length > 0, TimeSpan.FromSeconds(10));
        AfterChecks(3);
        Assert.Equal(["Info [dev-quiet] called home again: last heartbeat 1 s ago, now ok"], Lines("called home again"));
        Assert.Single(Lines("LATE"));

        _clock.UtcNowMs = T0 + 130_000 + 4 * Cycle;
        AwaitCondition(() => Lines("LATE").Length == 2, TimeSpan.FromSeconds(10));
        AfterChecks(3);
        Assert.Equal(2, Lines("LATE").Length);
    }

    [Fact]
    public void Should_not_call_a_device_never_heard_from_or_one_marked_diverged_late()
    {
        _clock.UtcNowMs = T0 + 10 * Cycle;
        Watch();

        AwaitCondition(() => Lines("[dev-quiet] LATE").Length == 1, TimeSpan.FromSeconds(10));
        AwaitCondition(() => _looks.GetValueOrDefault(Unseen) >= 3 && _looks.GetValueOrDefault(Diverged) >= 3, TimeSpan.FromSeconds(10));

        Assert.Empty(Lines("[dev-unseen]"));
        Assert.Empty(Lines("[dev-diverged]"));
        // Every look was at the board: no journal was asked.
        Assert.Empty(_asked);
    }

    [Fact]
    public void Should_ask_a_journal_only_for_a_device_missing_from_the_board_and_only_once()
    {
        var changes = CreateTestProbe();
        Sys.EventStream.Subscribe(changes.Ref, typeof(HealthChanged));
        _offBoard.Add(Diverged);
        _clock.UtcNowMs = T0 + 5_000;
        Watch();

        // Judged from the journal's answer: news at the first look, as from the board.
        var first = changes.ExpectMsg<HealthChanged>(TimeSpan.FromSeconds(10));
        Assert.Equal((Diverged, "diverged"), (first.Device, first.To));
        AfterChecks(5);

        Assert.Equal(1, _asked.GetValueOrDefault(Diverged));
        Assert.Equal([Diverged], _asked.Keys);
        changes.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void Should_publish_each_change_of_health_and_a_device_first_seen_in_trouble()
    {
        var changes = CreateTestProbe();
        Sys.EventStream.Subscribe(changes.Ref, typeof(HealthChanged));
        _clock.UtcNowMs = T0 + 5_000;
        Watch(windowLimit: TimeSpan.FromSeconds(10));

        // The diverged device is news at the first look; the quiet one (ok) and the unseen one are not.
        var first = changes.ExpectMsg<HealthChanged>(TimeSpan.FromSeconds(10));
        Assert.Equal((Diverged, HealthChanges.Unknown, "diverged"), (first.Device, first.From, first.To));
        Assert.Equal(Liveness.ProblemOf(_states[Diverged]), first.Detail);

        // ok to dark (the window closed) is no change of health.
        _clock.UtcNowMs = T0 + 20_000;
        AfterChecks(3);
        changes.ExpectNoMsg(TimeSpan.Zero);

        _clock.UtcNowMs = T0 + 125_000;
        var late = changes.ExpectMsg<HealthChanged>(TimeSpan.FromSeconds(10));
        Assert.Equal(new HealthChanged(Quiet, "dark", "late", T0 + 125_000, "no heartbeat for 125 s, 4 windows missed (cycle 30 s)"), late);

        CalledHome(Quiet, T0 + 130_000);
        _clock.UtcNowMs = T0 + 131_000;
        var back = changes.ExpectMsg<HealthChanged>(TimeSpan.FromSeconds(10));
        Assert.Equal(new HealthChanged(Quiet, "late", "ok", T0 + 131_000, "last heartbeat 1 s ago"), back);
        AfterChecks(3);
        changes.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public async Task Should_alert_a_webhook_through_the_watch_judgement()
    {
        var secret = "the-health-watch-spec-secret-00"u8.ToArray();
        await using var receiver = await WebhookReceiver.Start(secret);
        var alerts = Sys.ActorOf(WebhookAlerts.Props(AlertSettings.None with { Webhooks = [new WebhookSettings(receiver.Url, secret, AlertKinds.Default)] }, _clock));
        await alerts.Ask<WebhookAlertsMessages.WebhookStatus>(new WebhookAlertsMessages.GetWebhookStatus(0), TimeSpan.FromSeconds(5));
        _clock.UtcNowMs = T0 + 125_000;
        Watch();

        await Polling.Until(() => Task.FromResult(receiver.Accepted.Count == 2), TimeSpan.FromSeconds(20), "the diverged and the late alerts");
        CalledHome(Quiet, T0 + 130_000);
        _clock.UtcNowMs = T0 + 131_000;
        await Polling.Until(() => Task.FromResult(receiver.Accepted.Count == 3), TimeSpan.FromSeconds(20), "the recovery");

        Assert.Equal(["dev-diverged:diverged", "dev-quiet:late", "dev-quiet:recovered"],
            receiver.Accepted.Select(a => $"{a.GetProperty("device")}:{a.GetProperty("kind")}").Order(StringComparer.Ordinal));
        Assert.Equal(["late", "recovered"], receiver.Accepted.Where(a => a.GetProperty("device").GetString() == "dev-quiet").Select(a => a.GetProperty("kind").GetString()));
    }

    /// <summary>A device board holding the summaries of the test's table (but those of <c>offBoard</c>), counting each look.</summary>
    private sealed class FakeBoard(ConcurrentDictionary<DeviceId, StateJournalState> states, ConcurrentDictionary<DeviceId, int> looks, HashSet<DeviceId> offBoard)
        : IDeviceSummaries
    {
        public DeviceSummary? Find(DeviceId device)
        {
            looks.AddOrUpdate(device, 1, (_, n) => n + 1);
            return offBoard.Contains(device) ? null : DeviceSummary.Of(states.GetValueOrDefault(device) ?? StateJournalState.Empty(device));
        }
    }

    /// <summary>Answers a StateJournal's GetJournalState from the test's table, counting each question.</summary>
    private sealed class FakeJournals : ReceiveActor
    {
        public FakeJournals(ConcurrentDictionary<DeviceId, StateJournalState> states, ConcurrentDictionary<DeviceId, int> asked) =>
            Receive<StateJournalMessages.GetJournalState>(envelope =>
            {
                Sender.Tell(states.GetValueOrDefault(envelope.Device) ?? StateJournalState.Empty(envelope.Device));
                asked.AddOrUpdate(envelope.Device, 1, (_, n) => n + 1);
            });
    }

    private sealed class LogCollector : ReceiveActor
    {
        public LogCollector(ConcurrentQueue<string> lines) => Receive<LogEvent>(e => lines.Enqueue($"{e.LogLevel().ToString().Replace("Level", "")} {e.Message}"));
    }
}
