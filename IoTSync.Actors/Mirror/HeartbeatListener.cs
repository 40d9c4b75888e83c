using Akka.Actor;
using Akka.Event;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Security;
using static IoTSync.Mirror.SshReplicatorMessages;

namespace IoTSync.Mirror;

/// <summary>
/// The mirror's only remotely reachable actor (<c>/user/heartbeat</c> in the edge system). Admits only
/// enrolled, not disabled devices, authenticates each heartbeat (the device's HMAC with its current key,
/// or the key a rotation retired while the overlap lasts; a per-device rate limit, a time window, nonces
/// against replay), asks that device's
/// StateJournal where it stands, asks the replicator for a session when the logs differ, and
/// answers with a signed ack. Anything that fails authentication is logged and dropped unanswered.
/// After answering, it tells the StateJournal to record the heartbeat in the device's window
/// history (fire-and-forget: the ack never waits for that write). When the replicator gives up a
/// session it announced, the listener tells that window's heartbeat sender (<see cref="SessionAbandoned"/>),
/// so the device closes its window at once instead of at its limit.
/// A device's heartbeats that arrive while one of its heartbeats is being decided (its retries, when the
/// answer is slow) wait for that decision instead of asking the journal again: each is answered, with its own
/// nonce, from the one decision, and the window history records the group once. Under load, retries then add
/// no journal work; without it they multiplied it and answers came after the devices' windows had closed. A retry
/// that comes when the decision has waited <see cref="HeartbeatListenerSettings.AskAgainAfter"/> asks again (the
/// first answer to come serves them all): an answer lost with a cluster node that died is not waited for.
/// </summary>
public sealed class HeartbeatListener : ReceiveActor
{
    public const string Name = "heartbeat";

    private sealed record Decide(DeviceId Device, StateJournalState Held);

    private sealed record Undecided(DeviceId Device, int Ask, Exception Cause);

    /// <summary>A device's decision in progress: its latest question to the journal (numbered, and when it was asked) and the heartbeats waiting.</summary>
    private sealed record Deciding(int Ask, long AskedAtMs, List<Waiting> Waiting);

    /// <summary>An authenticated heartbeat waiting for its device's decision, and where its answer goes.</summary>
    private sealed record Waiting(Heartbeat Heartbeat, IActorRef ReplyTo, byte[] Key);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<DeviceId, NonceWindow> _windows = new();
    private readonly Dictionary<DeviceId, (string SessionId, IActorRef Sender, byte[] Key)> _announced = new();
    private readonly Dictionary<DeviceId, HeartbeatBucket> _buckets = new();
    private readonly Dictionary<DeviceId, long> _overRate = new();
    private readonly Dictionary<DeviceId, Deciding> _deciding = new();
    private int _asks;

    /// <summary>The longest window outcome recorded: the text comes from the device, and the journal keeps it for good.</summary>
    public const int MaxOutcomeLength = 200;

    private readonly Refusals _refusals;
    private readonly IActorRef _journals;
    private readonly HeartbeatListenerSettings _settings;

    public HeartbeatListener(IDeviceKeys keys, IDeviceAdmission admission, IActorRef journals, IActorRef replicator, IWallClock wall, HeartbeatListenerSettings settings,
        Refusals? refusals = null)
    {
        _refusals = refusals ?? new Refusals();
        _journals = journals;
        _settings = settings;
        Receive<Heartbeat>(heartbeat =>
        {
            var device = heartbeat.Device;
            // Looked up per heartbeat: a disable or the end of a rotation's overlap counts from the next one.
            var held = KeysAt(keys, admission, device, wall.UtcNowMs);
            var (matched, refusal) = held.Match(heartbeat);
            if (matched is not { } key)
            {
                _refusals.Count(RefusalOf(held.Standing, refusal));
                _log.Warning("[{0}] heartbeat refused: {1}; dropped", device, refusal);
                return;
            }
            if (!WithinRate(device, settings.Rate, wall.UtcNowMs))
                return;
            if (!_windows.TryGetValue(device, out var window))
                _windows[device] = window = new NonceWindow(settings.TimeWindow);
            var rejection = window.Admit(heartbeat.Nonce, heartbeat.SentAtUnixMs, wall.UtcNowMs);
            if (rejection == HeartbeatRejection.OutsideTimeWindow)
            {
                // Signed, so the device can trust the mirror's time; it changes nothing here, so a replay gains nothing.
                _refusals.Count(Refusals.HeartbeatStale);
                _log.Warning("[{0}] heartbeat sent at {1}, mirror time {2}: outside the time window; answered with the mirror's time", device, heartbeat.SentAtUnixMs, wall.UtcNowMs);
                Sender.Tell(HeartbeatAuthenticator.Sign(new HeartbeatAck(device, HeartbeatAction.Refused, "", new LogPosition(0, Sha256Hash.Zero),
                    wall.UtcNowMs, HeartbeatAck.ClockSkew, heartbeat.Nonce, ""), key));
                return;
            }
            if (rejection != HeartbeatRejection.None)
            {
                _refusals.Count(rejection switch
                {
                    HeartbeatRejection.Replayed => Refusals.HeartbeatReplayed,
                    HeartbeatRejection.BadMac => Refusals.HeartbeatBadMac,
                    _ => Refusals.HeartbeatMalformed,
                });
                _log.Warning("[{0}] heartbeat refused: {1} (sent at {2}, mirror time {3}); dropped", device, rejection, heartbeat.SentAtUnixMs, wall.UtcNowMs);
                return;
            }
            var now = wall.UtcNowMs;
            if (_deciding.TryGetValue(device, out var deciding))
            {
                deciding.Waiting.Add(new Waiting(heartbeat, Sender, key));
                if (now - deciding.AskedAtMs >= (long)settings.AskAgainAfter.TotalMilliseconds)
                    _deciding[device] = deciding with { Ask = Ask(device), AskedAtMs = now };
                return;
            }
            _deciding[device] = new Deciding(Ask(device), now, [new Waiting(heartbeat, Sender, key)]);
        });

        Receive<Decide>(decide =>
        {
            if (!_deciding.Remove(decide.Device, out var deciding))
                return;
            var waiting = deciding.Waiting;
            // The newest heartbeat says the most about the device; every waiting one gets the same answer under its own nonce.
            var (heartbeat, replyTo, key) = waiting[^1];
            var (action, reason) = HeartbeatDecision.Decide(heartbeat, decide.Held);
            var sessionId = action == HeartbeatAction.Sync ? Guid.NewGuid().ToString("n") : "";
            if (action == HeartbeatAction.Sync)
            {
                _announced[heartbeat.Device] = (sessionId, replyTo, key);
                replicator.Tell(new SyncRequested(heartbeat.Device, sessionId, heartbeat));
            }
            _log.Info("[{0}] heartbeat: device log {1}, mirror log seen {2}; answer: {3}{4}{5}", heartbeat.Device,
                heartbeat.DeviceLog, heartbeat.MirrorLogSeen, action.InWords(), sessionId.Length > 0 ? $" (session {sessionId})" : reason.Length > 0 ? $" ({reason})" : "",
                waiting.Count > 1 ? $", to {waiting.Count} heartbeats that waited for it" : "");
            var now = wall.UtcNowMs;
            foreach (var each in waiting)
                each.ReplyTo.Tell(HeartbeatAuthenticator.Sign(
                    new HeartbeatAck(heartbeat.Device, action, sessionId, decide.Held.Logs.MirrorLog, now, reason, each.Heartbeat.Nonce, ""), each.Key));
            journals.Tell(new StateJournalMessages.RecordHeartbeat(heartbeat.Device, new StateJournalEvents.HeartbeatRecorded(now, heartbeat.CyclePeriodMs, Bounded(heartbeat.PreviousWindow), sessionId)));
        });

        Receive<Undecided>(undecided =>
        {
            // Only the latest question counts: an earlier one that failed may still be followed by the latest's answer.
            if (!_deciding.TryGetValue(undecided.Device, out var deciding) || deciding.Ask != undecided.Ask)
                return;
            _deciding.Remove(undecided.Device);
            _log.Error(undecided.Cause, "[{0}] {1} heartbeat(s) not answered: the StateJournal did not reply", undecided.Device, deciding.Waiting.Count);
        });

        Receive<SessionGaveUp>(gaveUp =>
        {
            // Only the latest announced session: the device's sender waits for that one alone.
            if (!_announced.TryGetValue(gaveUp.Device, out var announced) || announced.SessionId != gaveUp.SessionId)
                return;
            _announced.Remove(gaveUp.Device);
            var reason = gaveUp.Reason.Length > SessionAbandoned.MaxReasonLength ? gaveUp.Reason[..SessionAbandoned.MaxReasonLength] : gaveUp.Reason;
            _log.Info("[{0}] session {1} given up ({2}); the device is told to close its window", gaveUp.Device, gaveUp.SessionId, reason);
            announced.Sender.Tell(HeartbeatAuthenticator.Sign(new SessionAbandoned(gaveUp.Device, gaveUp.SessionId, reason, ""), announced.Key));
        });

        Receive<SessionFinished>(finished =>
        {
            if (_announced.TryGetValue(finished.Device, out var announced) && announced.SessionId == finished.SessionId)
                _announced.Remove(finished.Device);
        });

        Receive<StateJournalMessages.Acknowledged>(_ => { });

    }

    /// <summary>Asks the device's journal where it stands; the answer (or its failure, numbered) comes back to this listener.</summary>
    private int Ask(DeviceId device)
    {
        var ask = ++_asks;
        _journals.Ask<StateJournalState>(new StateJournalMessages.GetJournalState(device), _settings.JournalTimeout)
            .PipeTo(Self, success: held => new Decide(device, held), failure: cause => new Undecided(device, ask, cause));
        return ask;
    }

    /// <summary>
    /// Takes from the device's bucket; a flood is logged once when it starts and once, with its count,
    /// when the device is admitted again, so the log does not grow with the flood.
    /// </summary>
    private bool WithinRate(DeviceId device, HeartbeatRate rate, long now)
    {
        var (admitted, next) = (_buckets.GetValueOrDefault(device) ?? HeartbeatBucket.Full(rate, now)).Take(rate, now);
        _buckets[device] = next;
        var dropped = _overRate.GetValueOrDefault(device);
        if (admitted)
        {
            if (_overRate.Remove(device))
                _log.Warning("[{0}] {1} heartbeat(s) were dropped over the rate limit; admitted again", device, dropped);
            return true;
        }
        if (dropped == 0)
            _log.Warning("[{0}] heartbeat over the rate limit ({1} at once, one more every {2}); dropped, and more until the limit allows", device, rate.Burst, rate.RefillEvery);
        _overRate[device] = dropped + 1;
        _refusals.Count(Refusals.HeartbeatRate);
        return false;
    }

    /// <summary>The device's standing decides first: keys are looked up only for a device that is enrolled and enabled.</summary>
    private static HeartbeatKeys KeysAt(IDeviceKeys keys, IDeviceAdmission admission, DeviceId device, long now) =>
        admission.StandingOf(device) switch
        {
            DeviceStanding.Enabled => keys.KeysAt(device, now),
            DeviceStanding.Disabled => HeartbeatKeys.DisabledDevice,
            _ => HeartbeatKeys.NotEnrolled,
        };

    /// <summary>The counter for a heartbeat its device's keys refused.</summary>
    private static string RefusalOf(DeviceStanding standing, string refusal) => standing switch
    {
        DeviceStanding.Disabled => Refusals.DeviceDisabled,
        DeviceStanding.NotEnrolled => Refusals.DeviceUnknown,
        _ when refusal.StartsWith("signed with the key retired", StringComparison.Ordinal) => Refusals.CredentialsRetired,
        _ => Refusals.HeartbeatBadMac,
    };

    private static WindowReport? Bounded(WindowReport? report) =>
        report is { Outcome.Length: > MaxOutcomeLength } ? report with { Outcome = report.Outcome[..MaxOutcomeLength] } : report;

    public static Props Props(IDeviceKeys keys, IDeviceAdmission admission, IActorRef journals, IActorRef replicator, IWallClock wall, HeartbeatListenerSettings settings,
        Refusals? refusals = null) =>
        Akka.Actor.Props.Create(() => new HeartbeatListener(keys, admission, journals, replicator, wall, settings, refusals));
}
