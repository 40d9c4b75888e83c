using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using IoTSync.Journal;
using IoTSync.Model;

namespace IoTSync.Mirror;

/// <summary>Settings of the <see cref="LateDeviceWatch"/>.</summary>
/// <param name="LateAfterMissedWindows">A device that missed more windows than this is late.</param>
/// <param name="CheckEvery">How often every enrolled device is looked at; also the bound on each look.</param>
public sealed record LateDeviceWatchSettings(int LateAfterMissedWindows, TimeSpan CheckEvery)
{
    public static LateDeviceWatchSettings Default { get; } = new(3, TimeSpan.FromSeconds(10));

    /// <summary>Reads <c>iotsync.mirror.late-after-missed-windows</c> and <c>iotsync.mirror.late-check-every</c>.</summary>
    public static LateDeviceWatchSettings FromConfig(Config root)
    {
        var mirror = root.GetConfig("iotsync.mirror") ?? throw new ConfigurationException("missing section iotsync.mirror");
        const string missedKey = "iotsync.mirror.late-after-missed-windows";
        const string everyKey = "iotsync.mirror.late-check-every";
        if (!mirror.HasPath("late-after-missed-windows"))
            throw new ConfigurationException($"{missedKey} must be set to a whole number from 1 to 1000");
        int missed;
        try
        {
            missed = mirror.GetInt("late-after-missed-windows", 0);
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException($"{missedKey}: '{mirror.GetString("late-after-missed-windows", "")}' is not a whole number");
        }
        if (missed is < 1 or > 1000)
            throw new ConfigurationException($"{missedKey} must be from 1 to 1000, not {missed}");
        if (!mirror.HasPath("late-check-every"))
            throw new ConfigurationException($"{everyKey} must be set to a duration such as 10s");
        TimeSpan every;
        try
        {
            every = mirror.GetTimeSpan("late-check-every", TimeSpan.Zero, allowInfinite: false);
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException($"{everyKey}: '{mirror.GetString("late-check-every", "")}' is not a duration such as 10s");
        }
        if (every < TimeSpan.FromMilliseconds(100))
            throw new ConfigurationException($"{everyKey} must be at least 100ms, not {every}");
        return new LateDeviceWatchSettings(missed, every);
    }
}

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
