using Akka.Actor;
using Akka.Event;
using IoTSync.Logs;
using IoTSync.Model;

namespace IoTSync.Mirror;

/// <summary>
/// Watches that every enrolled device keeps calling home: every <c>CheckEvery</c> it asks each
/// device's StateJournal for its state and judges it with <see cref="Liveness"/>. A device that
/// turns late is logged at WARNING once for the episode (a device that stops calling home is the
/// first sign of its death or capture), and at INFO when it calls home again.
/// </summary>
public sealed class LateDeviceWatch : ReceiveActor, IWithTimers
{
    private sealed record Check
    {
        public static Check Instance { get; } = new();
    }

    private sealed record Observed(DeviceId Device, StateJournalState State);

    private sealed record Unanswered(DeviceId Device, Exception Cause);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<DeviceId> _late = [];
    private readonly LateDeviceWatchSettings _settings;

    public LateDeviceWatch(DeviceKeyCache registry, IActorRef journals, IWallClock wall, LateDeviceWatchSettings settings)
    {
        _settings = settings;
        Receive<Check>(_ =>
        {
            foreach (var device in registry.Devices)
                journals.Ask<StateJournalState>(new StateJournalMessages.GetJournalState(device), settings.CheckEvery)
                    .PipeTo(Self, success: state => new Observed(device, state), failure: cause => new Unanswered(device, cause));
        });

        Receive<Observed>(observed =>
        {
            var (device, history) = (observed.Device, observed.State.History);
            var verdict = Liveness.Of(observed.State, wall.UtcNowMs, settings.LateAfterMissedWindows);
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
        });

        Receive<Unanswered>(unanswered =>
            _log.Warning("[{0}] liveness not checked: the StateJournal did not answer: {1}", unanswered.Device, unanswered.Cause.Message));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer("check", Check.Instance, _settings.CheckEvery);

    public static Props Props(DeviceKeyCache registry, IActorRef journals, IWallClock wall, LateDeviceWatchSettings settings) =>
        Akka.Actor.Props.Create(() => new LateDeviceWatch(registry, journals, wall, settings));
}
