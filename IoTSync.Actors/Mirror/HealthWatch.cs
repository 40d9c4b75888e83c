using Akka.Actor;
using Akka.Event;
using IoTSync.Logs;
using IoTSync.Model;

namespace IoTSync.Mirror;

/// <summary>
/// Watches every enrolled device's health: every <c>CheckEvery</c> it asks each device's StateJournal
/// for its state and judges it with <see cref="Liveness"/>. Each change of health
/// (<see cref="HealthChanges.Decide"/>) is published as a <see cref="HealthChanged"/> on the actor
/// system's EventStream, for alerts and live listings. A device that turns late is also logged at
/// WARNING once for the episode (a device that stops calling home is the first sign of its death or
/// capture), and at INFO when it calls home again.
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
    private readonly Dictionary<DeviceId, string> _labels = [];
    private readonly HealthWatchSettings _settings;

    public HealthWatch(DeviceKeyCache registry, IActorRef journals, IWallClock wall, HealthWatchSettings settings)
    {
        _settings = settings;
        var windowLimitMs = settings.WindowLimit is { } limit ? (long)limit.TotalMilliseconds : (long?)null;
        Receive<Check>(_ =>
        {
            var enrolled = registry.Devices.ToHashSet();
            // A device no longer enrolled is forgotten: enrolled again, it is observed afresh.
            foreach (var gone in _labels.Keys.Where(d => !enrolled.Contains(d)).ToList())
            {
                _labels.Remove(gone);
                _late.Remove(gone);
            }
            foreach (var device in enrolled)
                journals.Ask<StateJournalState>(new StateJournalMessages.GetJournalState(device), settings.CheckEvery)
                    .PipeTo(Self, success: state => new Observed(device, state), failure: cause => new Unanswered(device, cause));
        });

        Receive<Observed>(observed =>
        {
            var (device, history) = (observed.Device, observed.State.History);
            var now = wall.UtcNowMs;
            var verdict = Liveness.Of(observed.State, now, settings.LateAfterMissedWindows, windowLimitMs);
            if (verdict.Status == LivenessStatus.Late)
            {
                if (_late.Add(device))
                    _log.Warning("[{0}] LATE: no heartbeat for {1} s, {2} windows missed (cycle {3} s)", device,
                        verdict.SilentForMs / 1000, verdict.MissedWindows, history.CyclePeriodMs / 1000.0);
            }
            else if (_late.Remove(device))
            {
                _log.Info("[{0}] called home again: last heartbeat {1} s ago, now {2}", device, verdict.SilentForMs / 1000, verdict.Label);
            }

            var change = HealthChanges.Decide(device, _labels.GetValueOrDefault(device), verdict.Label, now, HealthChanges.DetailOf(observed.State, verdict));
            _labels[device] = verdict.Label;
            if (change is not null)
                Context.System.EventStream.Publish(change);
        });

        Receive<Unanswered>(unanswered =>
            _log.Warning("[{0}] liveness not checked: the StateJournal did not answer: {1}", unanswered.Device, unanswered.Cause.Message));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer("check", Check.Instance, _settings.CheckEvery);

    public static Props Props(DeviceKeyCache registry, IActorRef journals, IWallClock wall, HealthWatchSettings settings) =>
        Akka.Actor.Props.Create(() => new HealthWatch(registry, journals, wall, settings));
}
