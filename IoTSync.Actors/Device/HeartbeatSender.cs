using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Protocol;
using static IoTSync.Device.HeartbeatSenderMessages;

namespace IoTSync.Device;

/// <summary>Settings of the <see cref="HeartbeatSender"/>.</summary>
public sealed record HeartbeatSenderSettings(string MirrorListenerPath, byte[] Key, TimeSpan InitialBackoff, TimeSpan GiveUpAfter);

/// <summary>
/// Sends the window's heartbeat to the mirror's HeartbeatListener over Akka.Remote and waits for a
/// signed ack, retrying with exponential back-off (each retry a fresh nonce, since the mirror
/// refuses a nonce it has seen). Gives up after a bounded total and reports the mirror unreachable.
/// The schedule is the pure <see cref="HeartbeatBackoff"/>, the clock offset a <see cref="ClockOffsetSample"/>.
/// </summary>
public sealed class HeartbeatSender : ReceiveActor, IWithTimers
{
    private sealed record Retry(int Attempt);

    // The recorder's answer, wrapped in types no serializer knows: a SyncView or a Status.Failure sent by a
    // remote peer to this, the edge's one reachable actor, can never pass for it.
    private sealed record ViewRead(SyncView View);

    private sealed record ViewFailed(Exception Cause);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly DeviceId _device;
    private readonly HeartbeatSenderSettings _settings;
    private readonly IActorRef _recorder;
    private readonly IWallClock _wall;
    private readonly HeartbeatBackoff _backoff;
    private readonly ActorSelection _listener;
    private readonly Dictionary<string, (long SentAt, int Attempt)> _sentByNonce = new(StringComparer.Ordinal);
    private readonly Stopwatch _window = new();
    private IActorRef _requester = ActorRefs.Nobody;
    private IActorRef _cycle = ActorRefs.Nobody;
    private string _announcedSession = "";
    private SyncView? _view;
    private SendHeartbeat _request = new(TimeSpan.Zero, null);
    private long _clockOffsetMs;
    private int _clockCorrectedAtAttempt;

    private readonly Security.Refusals _refusals;

    public HeartbeatSender(DeviceId device, HeartbeatSenderSettings settings, IActorRef recorder, IWallClock wall, Security.Refusals? refusals = null)
    {
        _refusals = refusals ?? new Security.Refusals();
        _device = device;
        _settings = settings;
        _recorder = recorder;
        _wall = wall;
        _backoff = new HeartbeatBackoff(settings.InitialBackoff, settings.GiveUpAfter);
        _listener = Context.ActorSelection(settings.MirrorListenerPath);
        Idle();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(DeviceId device, HeartbeatSenderSettings settings, IActorRef recorder, IWallClock wall, Security.Refusals? refusals = null) =>
        Akka.Actor.Props.Create(() => new HeartbeatSender(device, settings, recorder, wall, refusals));

    private void Idle()
    {
        Receive<SendHeartbeat>(request =>
        {
            _requester = Sender;
            _cycle = Sender;
            _announcedSession = "";
            _request = request;
            _sentByNonce.Clear();
            _clockCorrectedAtAttempt = 0;
            _window.Restart();
            _recorder.Ask<SyncView>(LogHolderMessages.GetView.Instance, _settings.GiveUpAfter)
                .PipeTo(Self, success: view => new ViewRead(view), failure: cause => new ViewFailed(cause));
            Become(AwaitingView);
        });
        Receive<HeartbeatAck>(ack => _log.Debug("[{0}] late heartbeat ack ignored", _device));
        Receive<Retry>(_ => { });
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
            Send(attempt: 1);
            Become(AwaitingAck);
        });
        Receive<ViewFailed>(failed => Finish(new LocalJournalFault(failed.Cause.Message), $"no heartbeat sent: no view from the recorder: {failed.Cause.Message}"));
    }

    private void AwaitingAck()
    {
        Receive<HeartbeatAck>(ack =>
        {
            if (ack.Device != _device || !_sentByNonce.TryGetValue(ack.HeartbeatNonce, out var sent) ||
                !HeartbeatAuthenticator.HasValidMac(ack, _settings.Key))
            {
                _refusals.Count(Security.Refusals.MirrorAnswerRefused);
                _log.Warning("[{0}] heartbeat ack that does not answer this window's heartbeats or has a bad MAC; ignored", _device);
                return;
            }
            var sample = new ClockOffsetSample(sent.SentAt, _wall.UtcNowMs, ack.MirrorTimeUnixMs);
            var offset = sample.OffsetMs;
            if (ack is { Action: HeartbeatAction.Refused, Reason: HeartbeatAck.ClockSkew })
            {
                // Answers to heartbeats sent before the last correction say nothing new.
                if (sent.Attempt <= _clockCorrectedAtAttempt)
                    return;
                _clockOffsetMs = offset;
                _clockCorrectedAtAttempt = _sentByNonce.Count;
                _log.Warning("[{0}] mirror says our clock is off; offset now {1} ms, sending again", _device, _clockOffsetMs);
                Timers.CancelAll();
                if (_backoff.GivenUp(_window.Elapsed))
                    Finish(new MirrorUnreachable(_sentByNonce.Count, _window.Elapsed), "mirror kept refusing our clock");
                else
                    Send(_sentByNonce.Count + 1);
                return;
            }
            _clockOffsetMs = offset;
            Timers.CancelAll();
            _announcedSession = ack.Action == HeartbeatAction.Sync ? ack.SessionId : "";
            Finish(new MirrorAnswered(ack, _sentByNonce.Count, _clockOffsetMs, TimeSpan.FromMilliseconds(sample.RoundTripMs)),
                $"mirror answered {ack.Action} after {_sentByNonce.Count} heartbeat(s)");
        });
        Receive<Retry>(retry =>
        {
            if (_backoff.GivenUp(_window.Elapsed))
            {
                Finish(new MirrorUnreachable(retry.Attempt - 1, _window.Elapsed), $"mirror unreachable after {retry.Attempt - 1} heartbeat(s)");
                return;
            }
            Send(retry.Attempt);
        });
    }

    private void Send(int attempt)
    {
        var view = _view!;
        var sentAt = _wall.UtcNowMs;
        var heartbeat = HeartbeatAuthenticator.Sign(new Heartbeat(_device, view.DeviceLog, view.MirrorLog, view.StateDigest,
            sentAt + _clockOffsetMs, (long)_request.CyclePeriod.TotalMilliseconds, _request.PreviousWindow, HeartbeatAuthenticator.NewNonce(), ""), _settings.Key);
        _sentByNonce[heartbeat.Nonce] = (sentAt, attempt);
        _listener.Tell(heartbeat, Self);
        Timers.StartSingleTimer("retry", new Retry(attempt + 1), _backoff.DelayAfter(attempt, _window.Elapsed));
    }

    private void Finish(object outcome, string logLine)
    {
        _log.Info("[{0}] {1}", _device, logLine);
        _requester.Tell(outcome);
        _requester = ActorRefs.Nobody;
        Become(Idle);
    }
}
