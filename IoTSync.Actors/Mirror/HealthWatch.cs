using Akka.Actor;
using Akka.Event;
using IoTSync.Logs;
using IoTSync.Model;

namespace IoTSync.Mirror;

/// <summary>
/// Watches every enrolled device's health: every <c>CheckEvery</c> it judges each device's summary on the node's
/// <see cref="DeviceBoard"/> with <see cref="Liveness"/>, asking no journal, so a round wakes no passivated one. A
/// device missing from the board (no journal of it has posted since the node, or the whole cluster, started) is asked
/// for its state once; its journal, woken by that, posts to the board from then on. Each change of health
/// (<see cref="HealthChanges.Decide"/>) is published as a <see cref="HealthChanged"/> on the actor system's
/// EventStream, for alerts and live listings. A device that turns late is also logged at WARNING once for the episode
/// (a device that stops calling home is the first sign of its death or capture), and at INFO when it calls home again.
/// In a cluster one watch judges for every node: a cluster singleton.
/// </summary>
public sealed class HealthWatch : ReceiveActor, IWithTimers
{
    private sealed record Check
    {
        public static Check Instance { get; } = new();
    }

    private sealed record Observed(DeviceId Device, StateJournalState State);

    private sealed record Unanswered(DeviceId Device, Exception Cause);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<DeviceId> _late = [];
    private readonly HashSet<DeviceId> _asked = [];
    private readonly Dictionary<DeviceId, string> _labels = [];
    private readonly HealthWatchSettings _settings;
    private readonly IWallClock _wall;
    private readonly long? _windowLimitMs;

    public HealthWatch(DeviceKeyCache registry, IDeviceSummaries board, IActorRef journals, IWallClock wall, HealthWatchSettings settings)
    {
        _settings = settings;
        _wall = wall;
        _windowLimitMs = settings.WindowLimit is { } limit ? (long)limit.TotalMilliseconds : null;
        Receive<Check>(_ =>
        {
            var enrolled = registry.Devices.ToHashSet();
            // A device no longer enrolled is forgotten: enrolled again, it is observed afresh.
            foreach (var gone in _labels.Keys.Concat(_asked).Where(d => !enrolled.Contains(d)).ToList())
            {
                _labels.Remove(gone);
                _late.Remove(gone);
                _asked.Remove(gone);
            }
            foreach (var device in enrolled)
            {
                if (board.Find(device) is { } summary)
                    Judge(summary);
                else if (_asked.Add(device))
                    journals.Ask<StateJournalState>(new StateJournalMessages.GetJournalState(device), settings.CheckEvery)
                        .PipeTo(Self, success: state => new Observed(device, state), failure: cause => new Unanswered(device, cause));
            }
        });

        Receive<Observed>(observed => Judge(DeviceSummary.Of(observed.State)));

        Receive<Unanswered>(unanswered =>
        {
            // Asked again next round: the board still lacks it.
            _asked.Remove(unanswered.Device);
            _log.Warning("[{0}] liveness not checked: the StateJournal did not answer: {1}", unanswered.Device, unanswered.Cause.Message);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer("check", Check.Instance, _settings.CheckEvery);

    private void Judge(DeviceSummary summary)
    {
        var device = summary.Device;
        var now = _wall.UtcNowMs;
        var verdict = Liveness.Of(summary, now, _settings.LateAfterMissedWindows, _windowLimitMs);
        if (verdict.Status == LivenessStatus.Late)
        {
            if (_late.Add(device))
                _log.Warning("[{0}] LATE: no heartbeat for {1} s, {2} windows missed (cycle {3} s)", device,
                    verdict.SilentForMs / 1000, verdict.MissedWindows, summary.CyclePeriodMs / 1000.0);
        }
        else if (_late.Remove(device))
        {
            _log.Info("[{0}] called home again: last heartbeat {1} s ago, now {2}", device, verdict.SilentForMs / 1000, verdict.Label);
        }

        var change = HealthChanges.Decide(device, _labels.GetValueOrDefault(device), verdict.Label, now, HealthChanges.DetailOf(summary, verdict));
        _labels[device] = verdict.Label;
        if (change is not null)
            Context.System.EventStream.Publish(change);
    }

    public static Props Props(DeviceKeyCache registry, IDeviceSummaries board, IActorRef journals, IWallClock wall, HealthWatchSettings settings) =>
        Akka.Actor.Props.Create(() => new HealthWatch(registry, board, journals, wall, settings));
}
