using Akka.Actor;
using Akka.Event;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Sync;
using static IoTSync.Mirror.SshReplicatorMessages;

namespace IoTSync.Mirror;

/// <summary>
/// Runs the mirror's half of each requested exchange: opens the session to the device (the pinned
/// host key is checked by the opener), runs <see cref="MirrorExchange"/> against that device's
/// StateJournal, and closes. A bounded pool — one session per device, at most N at once — so a
/// fleet cannot make the mirror open unbounded connections; a request past the bound is dropped
/// and the device asks again next window. Every session that ran, successful or not, is recorded in
/// the device's window history at its StateJournal (<see cref="StateJournalEvents.SessionRecorded"/>).
/// </summary>
public sealed class SshReplicator : ReceiveActor
{
    private sealed record Ran(SessionFinished Finished, long StartedAtUnixMs, long EndedAtUnixMs, IActorRef Requester);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<DeviceId> _active = [];
    private readonly ExchangeHalt? _halt = ExchangeHalt.FromEnvironment();
    private readonly DeviceKeyCache _registry;
    private readonly IActorRef _journals;
    private readonly IDeviceSessionOpener _opener;
    private readonly SshReplicatorSettings _settings;
    private readonly IActorRef? _listener;
    private readonly IWallClock _wall;
    private readonly Security.Refusals _refusals;

    /// <summary>A replicator; <paramref name="wall"/> gives each session's start and end (the machine's clock when null).</summary>
    public SshReplicator(DeviceKeyCache registry, IActorRef journals, IDeviceSessionOpener opener, SshReplicatorSettings settings, IActorRef? listener,
        IWallClock? wall = null, Security.Refusals? refusals = null)
    {
        (_registry, _journals, _opener, _settings, _listener) = (registry, journals, opener, settings, listener);
        _refusals = refusals ?? new Security.Refusals();
        _wall = wall ?? SystemWallClock.Instance;
        Receive<SyncRequested>(Begin);
        Receive<Ran>(Finish);
        Receive<StateJournalMessages.Acknowledged>(_ => { });
    }

    /// <summary>Starts a session unless the device is unknown or disabled, already in one, or the pool is full.</summary>
    private void Begin(SyncRequested request)
    {
        var device = request.Device;
        if (_registry.Find(device) is not { } enrolled)
        {
            _refusals.Count(Security.Refusals.DeviceUnknown);
            _log.Warning("[{0}] sync requested for a device that is not enrolled; ignored", device);
            return;
        }
        if (enrolled.Disabled)
        {
            _refusals.Count(Security.Refusals.DeviceDisabled);
            _log.Warning("[{0}] session {1} refused: the device is disabled", device, request.SessionId);
            return;
        }
        if (_active.Contains(device))
        {
            _log.Debug("[{0}] a session is already running; request {1} ignored", device, request.SessionId);
            Sender.Tell(new SessionGaveUp(device, request.SessionId, "the device's previous session still runs"));
            return;
        }
        if (_active.Count >= _settings.MaxConcurrentSessions)
        {
            _log.Warning("[{0}] {1} sessions already running, the limit; request {2} dropped", device, _active.Count, request.SessionId);
            Sender.Tell(new SessionGaveUp(device, request.SessionId, "too many sessions running at the mirror"));
            return;
        }
        _active.Add(device);
        _log.Info("[{0}] session {1}: opening {2}", device, request.SessionId, enrolled.Endpoint);
        Run(enrolled, request.SessionId, Sender).PipeTo(Self);
    }

    /// <summary>Logs the session, records it in the device's window history, and tells the listener (and, when it failed, whoever asked for it).</summary>
    private void Finish(Ran ran)
    {
        var finished = ran.Finished;
        _active.Remove(finished.Device);
        if (RefusalOf(finished) is { } refusal)
            _refusals.Count(refusal);
        if (finished.Error is not null)
            _log.Warning("[{0}] session {1} failed after {2:0} ms: {3}", finished.Device, finished.SessionId, finished.Duration.TotalMilliseconds, finished.Error);
        else
            _log.Info("[{0}] session {1} done in {2:0} ms: {3}; {4}", finished.Device, finished.SessionId, finished.Duration.TotalMilliseconds, finished.Report,
                string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"opened in {finished.OpenedAfter.TotalMilliseconds:0} ms ({finished.Opening}), exchange {(finished.Duration - finished.OpenedAfter).TotalMilliseconds:0} ms"));
        _journals.Tell(new StateJournalMessages.RecordSession(finished.Device, Record(ran)));
        _listener?.Tell(finished);
        if (finished.Error is not null)
            ran.Requester.Tell(new SessionGaveUp(finished.Device, finished.SessionId, finished.Error));
    }

    /// <summary>
    /// The counter for a session that ended in a refusal: the device's host key or its sshd refusing the
    /// mirror's key, or the mirror refusing what the device sent (by the chain check's verdict).
    /// </summary>
    private static string? RefusalOf(SessionFinished finished) =>
        finished.Error is { } error
            ? error.StartsWith(nameof(Ssh.HostKeyMismatchException), StringComparison.Ordinal) ? Security.Refusals.HostKeyMismatch
            : error.StartsWith(nameof(Ssh.SshAuthenticationFailedException), StringComparison.Ordinal) ? Security.Refusals.SshAuth
            : null
            : finished.Report is { Outcome: ExchangeOutcome.RefusedByMirror, Refusal: { } refused } ? Security.Refusals.ForVerdict(refused.Verdict) : null;

    private async Task<Ran> Run(DeviceListing enrolled, string sessionId, IActorRef requester)
    {
        var startedAt = _wall.UtcNowMs;
        var finished = await Exchange(enrolled, sessionId);
        return new Ran(finished, startedAt, _wall.UtcNowMs, requester);
    }

    /// <summary>
    /// Opens, runs the exchange and returns as soon as it has ended: the session is closed in the
    /// background (<see cref="CloseInBackground"/>), so a close waiting on a link that went down
    /// never delays the record of a converged exchange, nor the device's next session.
    /// </summary>
    private async Task<SessionFinished> Exchange(DeviceListing enrolled, string sessionId)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(_settings.SessionTimeout);
        IDeviceSession? session = null;
        try
        {
            session = await Open(enrolled, timeout.Token);
            var opened = clock.Elapsed;
            var side = new StateJournalSide(_journals, _settings.JournalTimeout, enrolled.Device);
            var channel = _halt is null ? session.Channel : _halt.Wrap(session.Channel, enrolled.Device, _log);
            var report = await new MirrorExchange(enrolled.Device, side, channel, _settings.Exchange).Run(sessionId, timeout.Token);
            return new SessionFinished(enrolled.Device, sessionId, report, null, clock.Elapsed) { OpenedAfter = opened, Opening = session.Opening };
        }
        catch (Exception e)
        {
            // Nothing is applied from a session that failed: every batch is checked and stored whole, or not at all.
            return new SessionFinished(enrolled.Device, sessionId, null, $"{e.GetType().Name}: {e.Message}", clock.Elapsed);
        }
        finally
        {
            if (session is not null)
                CloseInBackground(session, enrolled.Device, sessionId);
        }
    }

    /// <summary>
    /// Ends the session's input at once (the device ends its window when it sees that) and lets the
    /// rest of the close (the command's exit, the disconnect, each bounded by the transport's close
    /// timeout) finish on its own; a close that failed is only worth a debug line.
    /// </summary>
    private void CloseInBackground(IDeviceSession session, DeviceId device, string sessionId)
    {
        var log = _log;
        _ = session.DisposeAsync().AsTask().ContinueWith(
            closed => log.Debug("[{0}] session {1} closed{2}", device, sessionId,
                closed.Exception is { } e ? $" with an error: {e.GetBaseException().Message}" : ""),
            TaskScheduler.Default);
    }

    /// <summary>
    /// Opens with the mirror's current key for the device; if the device refuses it while a rotation's
    /// overlap lasts, with the key the rotation retired (the device may not have installed the new line yet).
    /// </summary>
    private async Task<IDeviceSession> Open(DeviceListing enrolled, CancellationToken cancellationToken)
    {
        var keys = _registry.SshKeysAt(enrolled.Device, _wall.UtcNowMs) is { IsEmpty: false } now ? now : [enrolled.MirrorKeyFile];
        for (var i = 0; ; i++)
        {
            try
            {
                return await _opener.Open(enrolled with { MirrorKeyFile = keys[i] }, cancellationToken);
            }
            catch (Ssh.SshAuthenticationFailedException) when (i + 1 < keys.Length)
            {
                _log.Warning("[{0}] the device refused the mirror's new SSH key; using the key its rotation retired while the overlap lasts", enrolled.Device);
            }
        }
    }

    private static StateJournalEvents.SessionRecorded Record(Ran ran)
    {
        var (finished, report) = (ran.Finished, ran.Finished.Report);
        var problem = finished.Error ?? (report is null || report.Converged
            ? null
            : string.Join(": ", new[] { report.Refusal?.ToString(), report.Detail }.Where(p => !string.IsNullOrEmpty(p))));
        return new StateJournalEvents.SessionRecorded(finished.SessionId, ran.StartedAtUnixMs, ran.EndedAtUnixMs,
            (long)finished.Duration.TotalMilliseconds, report?.EntriesPushed ?? 0, report?.EntriesPulled ?? 0,
            report?.MirrorView?.StateDigest, report?.Outcome.ToString() ?? StateJournalEvents.SessionRecorded.Failed,
            string.IsNullOrEmpty(problem) ? null : problem, Agreed(report));
    }

    /// <summary>The heads both sides confirmed: only when the exchange converged with the same logs on both.</summary>
    private static SyncView? Agreed(ExchangeReport? report) =>
        report is { Converged: true, MirrorView: { } mirror, DeviceView: { } device }
        && mirror.DeviceLog == device.DeviceLog && mirror.MirrorLog == device.MirrorLog
            ? mirror
            : null;

    public static Props Props(DeviceKeyCache registry, IActorRef journals, IDeviceSessionOpener opener, SshReplicatorSettings settings, IActorRef? listener = null,
        IWallClock? wall = null, Security.Refusals? refusals = null) =>
        Akka.Actor.Props.Create(() => new SshReplicator(registry, journals, opener, settings, listener, wall, refusals));
}
