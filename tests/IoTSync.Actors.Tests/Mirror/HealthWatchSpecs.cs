using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using Akka.TestKit.Xunit2;
using IoTSync.Logs;
using IoTSync.Mirror;
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

    private IActorRef Watch() => Sys.ActorOf(HealthWatch.Props(_registry, Sys.ActorOf(Props.Create(() => new FakeJournals(_states, _looks))), _clock,
        new HealthWatchSettings(3, TimeSpan.FromMilliseconds(50))));

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
    }

    /// <summary>Answers a StateJournal's GetJournalState from the test's table, counting each look.</summary>
    private sealed class FakeJournals : ReceiveActor
    {
        public FakeJournals(ConcurrentDictionary<DeviceId, StateJournalState> states, ConcurrentDictionary<DeviceId, int> looks) =>
            Receive<StateJournalMessages.GetJournalState>(envelope =>
            {
                Sender.Tell(states.GetValueOrDefault(envelope.Device) ?? StateJournalState.Empty(envelope.Device));
                looks.AddOrUpdate(envelope.Device, 1, (_, n) => n + 1);
            });
    }

    private sealed class LogCollector : ReceiveActor
    {
        public LogCollector(ConcurrentQueue<string> lines) => Receive<LogEvent>(e => lines.Enqueue($"{e.LogLevel().ToString().Replace("Level", "")} {e.Message}"));
    }
}
