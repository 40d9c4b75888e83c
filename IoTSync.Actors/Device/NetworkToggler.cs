using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using IoTSync.Model;
using static IoTSync.Device.HeartbeatSenderMessages;
using static IoTSync.Device.NetworkTogglerMessages;

namespace IoTSync.Device;

/// <summary>Timing of the device's cycle.</summary>
/// <param name="Period">From one window's start to the next.</param>
/// <param name="WindowLimit">The longest a window may stay open, whatever happens in it.</param>
/// <param name="UsableTimeout">How long to wait for the interface to become usable after up.</param>
/// <param name="UsablePoll">How often to look while waiting.</param>
public sealed record NetworkTogglerSettings(TimeSpan Period, TimeSpan WindowLimit, TimeSpan UsableTimeout, TimeSpan UsablePoll);

/// <summary>
/// Owns the cycle: interface down (at start, too: the resting state), a timer, interface up,
/// wait until usable (bounded polling, no fixed sleep), heartbeat, then down again as soon as
/// the mirror needs nothing, the session ended, the mirror is unreachable, or the window limit
/// passed — whichever comes first. The window's measurements and what closes it are the pure
/// <see cref="WindowTimer"/>; the actor keeps the phases, the timers and the interface.
/// </summary>
public sealed class NetworkToggler : ReceiveActor, IWithTimers
{
    private sealed record Tick;
    private sealed record Usable(bool IsUsable);
    private sealed record Lowered(Exception? Error, WindowClosed? Window);
    private sealed record LimitReached(int Window);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly DeviceId _device;
    private readonly INetworkInterface _interface;
    private readonly IActorRef _heartbeat;
    private readonly NetworkTogglerSettings _settings;
    private readonly MirrorCorrectedClock? _clock;
    private readonly IActorRef? _dialer;
    private readonly Stopwatch _window = new();
    private readonly List<WindowClosed> _closed = [];
    private WindowTimer _current = WindowTimer.BeforeFirst;

    public NetworkToggler(DeviceId device, INetworkInterface networkInterface, IActorRef heartbeat, NetworkTogglerSettings settings, MirrorCorrectedClock? clock = null,
        IActorRef? dialer = null)
    {
        _clock = clock;
        _dialer = dialer;
        _device = device;
        _interface = networkInterface;
        _heartbeat = heartbeat;
        _settings = settings;
        Resting();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// The clock, when given, takes the mirror's offset from each answered heartbeat (for expiry checks); the
    /// dialer, when given (reverse mode), is told to open the session when the mirror's answer says sync.
    /// </summary>
    public static Props Props(DeviceId device, INetworkInterface networkInterface, IActorRef heartbeat, NetworkTogglerSettings settings, MirrorCorrectedClock? clock = null,
        IActorRef? dialer = null) =>
        Akka.Actor.Props.Create(() => new NetworkToggler(device, networkInterface, heartbeat, settings, clock, dialer));

    protected override void PreStart()
    {
        _interface.Down(CancellationToken.None).ContinueWith(t => new Lowered(t.Exception?.GetBaseException(), null)).PipeTo(Self);
        Timers.StartPeriodicTimer("cycle", new Tick(), _settings.Period);
    }

    private void Resting()
    {
        AnswerQueries(SyncSessionAdmission.Dark);
        Receive<Lowered>(lowered =>
        {
            RecordLowered(lowered);
        });
        Receive<Tick>(_ =>
        {
            _current = _current.Next();
            _window.Restart();
            Timers.StartSingleTimer("limit", new LimitReached(_current.Number), _settings.WindowLimit);
            OpenAndWait();
            Become(Opening);
        });
        Receive<SessionEnded>(_ => { });
        Receive<SessionStarted>(_ => { });
        Receive<LimitReached>(_ => { });
        Receive<MirrorAnswered>(_ => { });
        Receive<MirrorUnreachable>(_ => { });
        Receive<LocalJournalFault>(_ => { });
        Receive<MirrorGaveUp>(_ => { });
        Receive<ReverseSessionFailed>(_ => { });
    }

    private void OpenAndWait()
    {
        var interfaceRef = _interface;
        var settings = _settings;
        WaitUsable().PipeTo(Self);

        async Task<Usable> WaitUsable()
        {
            await interfaceRef.Up(CancellationToken.None);
            var deadline = Stopwatch.StartNew();
            while (!await interfaceRef.IsUsable(CancellationToken.None))
            {
                if (deadline.Elapsed > settings.UsableTimeout)
                    return new Usable(false);
                await Task.Delay(settings.UsablePoll);
            }
            return new Usable(true);
        }
    }

    private void Opening()
    {
        AnswerQueries("opening");
        Receive<Usable>(usable =>
        {
            _current = _current.Usable(_window.Elapsed);
            if (!usable.IsUsable)
            {
                Close(WindowTimer.NeverUsable);
                return;
            }
            _heartbeat.Tell(new SendHeartbeat(_settings.Period, _closed.Count == 0 ? null : _closed[^1].Report()));
            Become(Calling);
        });
        Receive<Status.Failure>(failure => Close(WindowTimer.CouldNotComeUp(failure.Cause.GetBaseException().Message)));
        // A reverse session of the window before, ended by its limit, may report its failure late.
        Receive<ReverseSessionFailed>(_ => { });
        Receive<LimitReached>(limit => CloseIfCurrent(limit, WindowTimer.LimitWhileComingUp));
        // Interface down can finish after the next window began (a slow command, a short period): still record it.
        Receive<Lowered>(RecordLowered);
        Receive<Tick>(_ => { });
    }

    private void Calling()
    {
        AnswerQueries("calling");
        Receive<MirrorAnswered>(answered =>
        {
            _current = _current.Answered(_window.Elapsed);
            if (_clock is not null)
                _clock.OffsetMs = answered.ClockOffsetMs;
            if (WindowTimer.OutcomeOf(answered.Ack) is { } outcome)
                Close(outcome);
            else
            {
                _dialer?.Tell(new ReverseDialerMessages.DialMirror(_current.Number));
                Become(Syncing);
            }
        });
        // The mirror's session arriving is its answer too (the ack itself may still be on its way): keep the window for it.
        Receive<SessionStarted>(_ =>
        {
            _current = _current.SessionStarted(_window.Elapsed);
            Become(Syncing);
        });
        Receive<MirrorUnreachable>(unreachable => Close(WindowTimer.Unreachable(unreachable.Attempts)));
        Receive<LocalJournalFault>(fault => Close(WindowTimer.LocalJournalFault(fault.Fault)));
        Receive<LimitReached>(limit => CloseIfCurrent(limit, WindowTimer.LimitWaitingForMirror));
        Receive<ReverseSessionFailed>(_ => { });
        // Interface down can finish after the next window began (a slow command, a short period): still record it.
        Receive<Lowered>(RecordLowered);
        Receive<Tick>(_ => { });
    }

    private void Syncing()
    {
        AnswerQueries("syncing");
        Receive<SessionStarted>(_ => _current = _current.SessionStarted(_window.Elapsed));
        // After the session arrived first: the ack still sets the clock; giving up on it no longer matters.
        Receive<MirrorAnswered>(answered =>
        {
            _current = _current.Answered(_window.Elapsed);
            if (_clock is not null)
                _clock.OffsetMs = answered.ClockOffsetMs;
        });
        Receive<MirrorUnreachable>(_ => { });
        Receive<LocalJournalFault>(_ => { });
        // The mirror's session will not come, or broke: close now rather than at the limit.
        Receive<MirrorGaveUp>(gaveUp => Close(WindowTimer.MirrorGaveUp(gaveUp.Reason)));
        Receive<ReverseSessionFailed>(failed => Close(WindowTimer.ReverseSessionFailed(failed.Reason)));
        Receive<SessionEnded>(_ =>
        {
            _current = _current.SessionEnded(_window.Elapsed);
            Close(WindowTimer.Synced);
        });
        Receive<LimitReached>(limit => CloseIfCurrent(limit, WindowTimer.LimitDuringSession));
        // Interface down can finish after the next window began (a slow command, a short period): still record it.
        Receive<Lowered>(RecordLowered);
        Receive<Tick>(_ => { });
    }

    private void AnswerQueries(string phase)
    {
        Receive<GetWindows>(_ => Sender.Tell(_closed.ToArray()));
        Receive<GetCycleStatus>(_ => Sender.Tell(new CycleStatus(phase, _current.Number, _settings.Period, [.. _closed.TakeLast(20)])));
    }

    private void CloseIfCurrent(LimitReached limit, string outcome)
    {
        if (_current.IsCurrent(limit.Window))
            Close(outcome);
    }

    private void Close(string outcome)
    {
        Timers.Cancel("limit");
        // The start as a timestamp: the stopwatch restarts with the next window, which may begin before Down returns.
        var closingAfter = _window.Elapsed;
        var (window, openedAt) = (_current, Stopwatch.GetTimestamp() - closingAfter.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond);
        // The window ends when the interface is really down: measured once the command returned.
        _interface.Down(CancellationToken.None)
            .ContinueWith(t => new Lowered(t.Exception?.GetBaseException(), window.Closed(outcome, closingAfter, Stopwatch.GetElapsedTime(openedAt))))
            .PipeTo(Self);
        Become(Resting);
    }

    private void RecordLowered(Lowered lowered)
    {
        if (lowered.Error is not null)
            _log.Error("[{0}] could not take the interface down: {1}", _device, lowered.Error.Message);
        if (lowered.Window is not { } closed)
            return;
        _heartbeat.Tell(WindowEnded.Instance);
        _closed.Add(closed);
        if (_closed.Count > 1000)
            _closed.RemoveAt(0);
        _log.Info("[{0}] window {1} closed after {2:0.0} ms (usable after {3:0.0} ms): {4}", _device, closed.Number,
            closed.Duration.TotalMilliseconds, closed.UsableAfter.TotalMilliseconds, closed.Outcome);
    }
}
