using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Protocol;
using static IoTSync.Device.HeartbeatSenderMessages;

namespace IoTSync.Device;

/// <summary>
/// Sends the window's heartbeat to the mirror's HeartbeatListener over Akka.Remote and waits for a
/// signed ack, retrying with exponential back-off (each retry a fresh nonce, since the mirror
/// refuses a nonce it has seen). A device may list several mirror nodes: the window starts with the one
/// that answered last, and one that leaves its turn unanswered gives way to the next; an answer from any
/// of them counts. Gives up after a bounded total and reports the mirror unreachable. The schedule is the
/// pure <see cref="MirrorRotation"/> over <see cref="HeartbeatBackoff"/>, the clock offset a <see cref="ClockOffsetSample"/>.
/// </summary>
public sealed class HeartbeatSender : ReceiveActor, IWithTimers
{
    private sealed record Retry
    {
        public static Retry Instance { get; } = new();
    }

    private sealed record AnswersAwaited;

    // The recorder's answer, wrapped in types no serializer knows: a SyncView or a Status.Failure sent by a
    // remote peer to this, the edge's one reachable actor, can never pass for it.
    private sealed record ViewRead(SyncView View);

    private sealed record ViewFailed(Exception Cause);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly DeviceId _device;
    private readonly HeartbeatSenderSettings _settings;
    private readonly IActorRef _recorder;
    private readonly IWallClock _wall;
    private readonly MirrorRotation _rotation;
    private readonly ActorSelection[] _listeners;
    private readonly string[] _mirrors;
    private readonly LastAnsweringMirror _lastMirror;
    private readonly Dictionary<string, (long SentAt, int Attempt, int Mirror)> _sentByNonce = new(StringComparer.Ordinal);
    private readonly HashSet<string> _answered = new(StringComparer.Ordinal);
    private readonly Action? _recycleEdge;
    private object? _heldOutcome;
    private string _heldLogLine = "";
    private int _heldMirror;
    private MirrorTurn _turn = new(0, 1, TimeSpan.Zero, 0);
    private readonly Stopwatch _window = new();
    private IActorRef _requester = ActorRefs.Nobody;
    private IActorRef _cycle = ActorRefs.Nobody;
    private string _announcedSession = "";
    private SyncView? _view;
    private SendHeartbeat _request = new(TimeSpan.Zero, null);
    private long _clockOffsetMs;
    private int _clockCorrectedAtAttempt;

    private readonly Security.Refusals _refusals;

    public HeartbeatSender(DeviceId device, HeartbeatSenderSettings settings, IActorRef recorder, IWallClock wall, Security.Refusals? refusals = null, Action? recycleEdge = null,
        LastAnsweringMirror? lastMirror = null)
    {
        if (settings.MirrorListenerPaths.Count == 0)
            throw new ArgumentException("the heartbeat sender needs at least one mirror", nameof(settings));
        _lastMirror = lastMirror ?? new LastAnsweringMirror();
        _recycleEdge = recycleEdge;
        _refusals = refusals ?? new Security.Refusals();
        _device = device;
        _settings = settings;
        _recorder = recorder;
        _wall = wall;
        _rotation = new MirrorRotation(settings.MirrorListenerPaths.Count, new HeartbeatBackoff(settings.InitialBackoff, settings.GiveUpAfter));
        _listeners = [.. settings.MirrorListenerPaths.Select(path => Context.ActorSelection(path))];
        _mirrors = [.. settings.MirrorListenerPaths.Select(MirrorName)];
        Idle();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// The sender; <paramref name="recycleEdge"/> replaces the edge with a fresh one (<see cref="Hosting.EdgeSystem.Recycle"/>), called after a
    /// window left heartbeats unanswered; <paramref name="lastMirror"/> remembers across edges which mirror answered last.
    /// </summary>
    public static Props Props(DeviceId device, HeartbeatSenderSettings settings, IActorRef recorder, IWallClock wall, Security.Refusals? refusals = null,
        Action? recycleEdge = null, LastAnsweringMirror? lastMirror = null) =>
        Akka.Actor.Props.Create(() => new HeartbeatSender(device, settings, recorder, wall, refusals, recycleEdge, lastMirror));

    /// <summary>A listener's path as the log names it: its HOST:PORT, or the whole path when it has none (a local one).</summary>
    public static string MirrorName(string listenerPath) =>
        ActorPath.TryParse(listenerPath, out var path) && path.Address is { Host: { } host, Port: { } port } ? $"{host}:{port}" : listenerPath;

    private void Idle()
    {
        Receive<SendHeartbeat>(request =>
        {
            _requester = Sender;
            _cycle = Sender;
            _announcedSession = "";
            _request = request;
            _sentByNonce.Clear();
            _answered.Clear();
            _clockCorrectedAtAttempt = 0;
            _turn = _rotation.Start(_lastMirror.Index);
            _window.Restart();
            _recorder.Ask<SyncView>(LogHolderMessages.GetView.Instance, _settings.GiveUpAfter)
                .PipeTo(Self, success: view => new ViewRead(view), failure: cause => new ViewFailed(cause));
            Become(AwaitingView);
        });
        Receive<HeartbeatAck>(ack =>
        {
            if (IsAnswerToThisWindow(ack))
                _answered.Add(ack.HeartbeatNonce);
            _log.Debug("[{0}] late heartbeat ack ignored", _device);
        });
        Receive<Retry>(_ => { });
        Receive<WindowEnded>(_ => RecycleIfUnanswered());
        Receive<SessionAbandoned>(abandoned =>
        {
            if (abandoned.Device != _device || _announcedSession.Length == 0 || abandoned.SessionId != _announcedSession
                || !HeartbeatAuthenticator.HasValidMac(abandoned, _settings.Key))
            {
                _refusals.Count(Security.Refusals.MirrorAnswerRefused);
                _log.Warning("[{0}] a session-abandoned message that is not for this window's session or has a bad MAC; ignored", _device);
                return;
            }
            _announcedSession = "";
            _log.Info("[{0}] mirror gave up session {1}: {2}", _device, abandoned.SessionId, abandoned.Reason);
            _cycle.Tell(new MirrorGaveUp(abandoned.SessionId, abandoned.Reason));
        });
    }

    private void AwaitingView()
    {
        Receive<ViewRead>(read =>
        {
            _view = read.View;
            Send();
            Become(AwaitingAck);
        });
        Receive<ViewFailed>(failed => Finish(new LocalJournalFault(failed.Cause.Message), $"no heartbeat sent: no view from the recorder: {failed.Cause.Message}"));
    }

    private void AwaitingAck()
    {
        Receive<HeartbeatAck>(ack =>
        {
            if (!IsAnswerToThisWindow(ack))
            {
                _refusals.Count(Security.Refusals.MirrorAnswerRefused);
                _log.Warning("[{0}] heartbeat ack that does not answer this window's heartbeats or has a bad MAC; ignored", _device);
                return;
            }
            var sent = _sentByNonce[ack.HeartbeatNonce];
            _answered.Add(ack.HeartbeatNonce);
            var sample = new ClockOffsetSample(sent.SentAt, _wall.UtcNowMs, ack.MirrorTimeUnixMs);
            var offset = sample.OffsetMs;
            if (ack is { Action: HeartbeatAction.Refused, Reason: HeartbeatAck.ClockSkew })
            {
                // Answers to heartbeats sent before the last correction say nothing new.
                if (sent.Attempt <= _clockCorrectedAtAttempt)
                    return;
                _clockOffsetMs = offset;
                _clockCorrectedAtAttempt = _sentByNonce.Count;
                _log.Warning("[{0}] mirror {1} says our clock is off; offset now {2} ms, sending again", _device, _mirrors[sent.Mirror], _clockOffsetMs);
                Timers.CancelAll();
                if (_rotation.GivenUp(_window.Elapsed))
                    Finish(new MirrorUnreachable(_sentByNonce.Count, _window.Elapsed), "mirror kept refusing our clock");
                else
                {
                    _turn = _rotation.StayWith(_turn, sent.Mirror);
                    Send();
                }
                return;
            }
            _clockOffsetMs = offset;
            Timers.CancelAll();
            _announcedSession = ack.Action == HeartbeatAction.Sync ? ack.SessionId : "";
            _lastMirror.Answered(sent.Mirror, _mirrors[sent.Mirror], _wall.UtcNowMs);
            var answered = new MirrorAnswered(ack, _sentByNonce.Count, _clockOffsetMs, TimeSpan.FromMilliseconds(sample.RoundTripMs));
            var line = $"mirror answered: {ack.Action.InWords()}, after {_sentByNonce.Count} heartbeat(s), by {_mirrors[sent.Mirror]}";
            // An answer that closes the window at once waits a little for the answers to its other
            // heartbeats on the same association: written after the link went down, one would hold it up.
            // (Those sent to a mirror that did not answer go unanswered; the edge is recycled after them.)
            if (ack.Action != HeartbeatAction.Sync && UnansweredAt(sent.Mirror) > 0)
            {
                (_heldOutcome, _heldLogLine, _heldMirror) = (answered, line, sent.Mirror);
                Timers.StartSingleTimer("answers", new AnswersAwaited(), _settings.InitialBackoff * 2);
                Become(AwaitingOtherAnswers);
                return;
            }
            Finish(answered, line);
        });
        // The window reached its limit before an answer: nothing more can get through this window, and
        // what the mirror answers now would be written into the dark link.
        Receive<WindowEnded>(_ =>
        {
            Timers.CancelAll();
            Finish(new MirrorUnreachable(_sentByNonce.Count, _window.Elapsed), $"window ended before the mirror answered {_sentByNonce.Count} heartbeat(s)");
            RecycleIfUnanswered();
        });
        Receive<Retry>(_ =>
        {
            if (_rotation.AfterWait(_turn, _window.Elapsed) is not { } next)
            {
                Finish(new MirrorUnreachable(_sentByNonce.Count, _window.Elapsed), _mirrors.Length == 1
                    ? $"mirror unreachable after {_sentByNonce.Count} heartbeat(s)"
                    : $"mirror unreachable after {_sentByNonce.Count} heartbeat(s) to {string.Join(", ", _sentByNonce.Values.Select(s => s.Mirror).Distinct().Select(m => _mirrors[m]))}");
                return;
            }
            if (next.Address != _turn.Address)
                _log.Info("[{0}] mirror {1} did not answer {2} heartbeat(s) within its turn; calling {3}", _device, _mirrors[_turn.Address], _turn.Sent, _mirrors[next.Address]);
            _turn = next;
            Send();
        });
    }

    /// <summary>The window's answer is in; the answers to its other heartbeats are awaited, up to twice the initial back-off.</summary>
    private void AwaitingOtherAnswers()
    {
        Receive<HeartbeatAck>(ack =>
        {
            if (!IsAnswerToThisWindow(ack))
                return;
            _answered.Add(ack.HeartbeatNonce);
            if (UnansweredAt(_heldMirror) == 0)
                FinishHeld();
        });
        Receive<AnswersAwaited>(_ => FinishHeld());
        Receive<WindowEnded>(_ =>
        {
            FinishHeld();
            RecycleIfUnanswered();
        });
        Receive<Retry>(_ => { });
    }

    private void FinishHeld()
    {
        Timers.CancelAll();
        var (outcome, line) = (_heldOutcome!, _heldLogLine);
        _heldOutcome = null;
        Finish(outcome, line);
    }

    private int UnansweredAt(int mirror) => _sentByNonce.Count(sent => sent.Value.Mirror == mirror && !_answered.Contains(sent.Key));

    private bool IsAnswerToThisWindow(HeartbeatAck ack) =>
        ack.Device == _device && _sentByNonce.ContainsKey(ack.HeartbeatNonce) && HeartbeatAuthenticator.HasValidMac(ack, _settings.Key);

    /// <summary>
    /// After the window's interface went down: a heartbeat left unanswered may be answered while the device
    /// is dark, and that answer would sit in the mirror's TCP retransmission queue, holding every later
    /// answer on this association behind a doubling timer. The next window gets a fresh edge instead.
    /// </summary>
    private void RecycleIfUnanswered()
    {
        var unanswered = _sentByNonce.Count - _answered.Count;
        if (unanswered <= 0 || _recycleEdge is null)
            return;
        _log.Info("[{0}] {1} heartbeat(s) of the window went unanswered; the next window opens a fresh association", _device, unanswered);
        _recycleEdge();
    }

    /// <summary>A heartbeat, with a fresh nonce, to the mirror whose turn it is; the retry timer waits for its answer.</summary>
    private void Send()
    {
        var view = _view!;
        var sentAt = _wall.UtcNowMs;
        var heartbeat = HeartbeatAuthenticator.Sign(new Heartbeat(_device, view.DeviceLog, view.MirrorLog, view.StateDigest,
            sentAt + _clockOffsetMs, (long)_request.CyclePeriod.TotalMilliseconds, _request.PreviousWindow, HeartbeatAuthenticator.NewNonce(), ""), _settings.Key);
        _turn = _turn.Sending();
        _sentByNonce[heartbeat.Nonce] = (sentAt, _sentByNonce.Count + 1, _turn.Address);
        _listeners[_turn.Address].Tell(heartbeat, Self);
        Timers.StartSingleTimer("retry", Retry.Instance, _rotation.DelayAfter(_turn, _window.Elapsed));
    }

    private void Finish(object outcome, string logLine)
    {
        _log.Info("[{0}] {1}", _device, logLine);
        _requester.Tell(outcome);
        _requester = ActorRefs.Nobody;
        Become(Idle);
    }
}
