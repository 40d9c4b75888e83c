using System.Collections.Immutable;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Protocol;

namespace IoTSync.Sync;

/// <summary>
/// The mirror's half of a sync exchange: hello, push what the device lacks, pull what the mirror
/// lacks, done. Drives the device over any <see cref="IExchangeChannel"/>; every batch is checked
/// by the receiving side before anything is stored, so a session cut at any step can simply be
/// run again.
/// </summary>
public sealed class MirrorExchange(DeviceId device, IMirrorSide mirror, IExchangeChannel channel, ExchangeSettings settings)
{
    private int _pushed;
    private int _pulled;
    private string _sessionId = "";
    private SyncView _mine = null!;
    private SyncView? _theirs;

    /// <summary>The device's view, from its hello on.</summary>
    private SyncView Theirs => _theirs ?? throw new InvalidOperationException("no hello from the device yet");

    /// <summary>Runs the exchange once; each step either ends it with the report or hands on to the next.</summary>
    public async Task<ExchangeReport> Run(string sessionId, CancellationToken cancellationToken)
    {
        _sessionId = sessionId;
        _mine = await mirror.GetView(cancellationToken);
        if (await mirror.Divergence(cancellationToken) is { } divergence)
            return Report(ExchangeOutcome.Diverged, _mine, null, null, divergence);
        return await Greet(cancellationToken)
               ?? await CheckClaims(cancellationToken)
               ?? await Push(cancellationToken)
               ?? await Pull(cancellationToken)
               ?? await Close(cancellationToken);
    }

    /// <summary>Hello both ways: the device's must be from this device, this session and this protocol version.</summary>
    private async Task<ExchangeReport?> Greet(CancellationToken cancellationToken)
    {
        var greeting = await channel.Send(new Hello(device, _sessionId, ExchangeMessage.ProtocolVersion, _mine), cancellationToken);
        if (greeting is Refused refusedHello)
            return Report(ExchangeOutcome.RefusedByDevice, _mine, null, refusedHello, "device refused the hello");
        if (greeting is not Hello hello)
            return Unexpected(greeting);
        if (hello.Device != device || hello.Version != ExchangeMessage.ProtocolVersion || hello.SessionId != _sessionId)
            return await Refuse(hello.View, ChainCheck.Reject(Verdict.Malformed, 0,
                $"hello from device {hello.Device}, session {hello.SessionId}, version {hello.Version}"), divergedLog: null, cancellationToken);
        _theirs = hello.View;
        return null;
    }

    /// <summary>What the device says it holds of both logs must extend the mirror's copies; what it holds of the mirror's log counts as delivered.</summary>
    private async Task<ExchangeReport?> CheckClaims(CancellationToken cancellationToken)
    {
        var deviceClaim = ChainVerifier.CheckClaim(_mine.DeviceLog, Theirs.DeviceLog);
        if (deviceClaim.IsRejection)
            return await Refuse(Theirs, deviceClaim, Origin.Device, cancellationToken);
        var mirrorClaim = await PrefixCheck.OfOwnLog(device, Origin.Mirror, _mine.MirrorLog, Theirs.MirrorLog, mirror.ReadMirrorLog, cancellationToken);
        if (mirrorClaim.IsRejection)
            return await Refuse(Theirs, mirrorClaim, Origin.Mirror, cancellationToken);
        await mirror.ConfirmDelivery(Theirs.MirrorLog, cancellationToken);
        return null;
    }

    /// <summary>The mirror's log entries the device lacks, a batch at a time, each confirmed delivered once the device took it.</summary>
    private async Task<ExchangeReport?> Push(CancellationToken cancellationToken)
    {
        while (Theirs.MirrorLog.Length < _mine.MirrorLog.Length)
        {
            var batch = LogBatch.Fit(await mirror.ReadMirrorLog(Theirs.MirrorLog.Length + 1, settings.MaxBatchEntries, cancellationToken), settings.MaxBatchBytes);
            if (batch.Count == 0 || batch[0].Sequence != Theirs.MirrorLog.Length + 1)
                return Report(ExchangeOutcome.ProtocolError, _mine, Theirs, null,
                    $"mirror journal returned no entries from {Theirs.MirrorLog.Length + 1}");
            var answer = await channel.Send(new PushEntries([.. batch]), cancellationToken);
            if (answer is Refused refusedPush)
                return Report(ExchangeOutcome.RefusedByDevice, _mine, Theirs, refusedPush, "device refused pushed entries");
            if (answer is not PushAccepted accepted)
                return Unexpected(answer);
            if (accepted.View.MirrorLog.Length < batch[^1].Sequence)
                return Report(ExchangeOutcome.ProtocolError, _mine, accepted.View, null,
                    $"device accepted the push but holds only {accepted.View.MirrorLog.Length} of {batch[^1].Sequence} mirror entries");
            _pushed += batch.Count;
            _theirs = accepted.View;
            await mirror.ConfirmDelivery(Theirs.MirrorLog, cancellationToken);
            _mine = await mirror.GetView(cancellationToken);
        }
        return null;
    }

    /// <summary>The device's log entries the mirror lacks, a batch at a time, each checked and stored by the mirror's side.</summary>
    private async Task<ExchangeReport?> Pull(CancellationToken cancellationToken)
    {
        while (Theirs.DeviceLog.Length > _mine.DeviceLog.Length)
        {
            var answer = await channel.Send(new PullRequest(_mine.DeviceLog.Length + 1, settings.MaxBatchEntries), cancellationToken);
            if (answer is Refused refusedPull)
                return Report(ExchangeOutcome.RefusedByDevice, _mine, Theirs, refusedPull, "device refused the pull");
            if (answer is not PulledEntries pulled)
                return Unexpected(answer);
            if (pulled.Entries.IsDefaultOrEmpty)
                return Report(ExchangeOutcome.ProtocolError, _mine, Theirs, null,
                    $"device reports {Theirs.DeviceLog.Length} entries but sent none from {_mine.DeviceLog.Length + 1}");
            var appended = await mirror.AppendDeviceEntries(pulled.Entries, cancellationToken);
            if (appended.Check.IsRejection)
                return await Refuse(Theirs, appended.Check, appended.Check.Verdict == Verdict.Fork ? Origin.Device : null, cancellationToken);
            if (appended.View.DeviceLog.Length <= _mine.DeviceLog.Length)
                return Report(ExchangeOutcome.ProtocolError, appended.View, Theirs, null,
                    "pulled entries did not advance the device log replica");
            _pulled += appended.View.DeviceLog.Length > _mine.DeviceLog.Length
                ? (int)(appended.View.DeviceLog.Length - _mine.DeviceLog.Length)
                : 0;
            _mine = appended.View;
        }
        return null;
    }

    /// <summary>Done both ways, and the verdict: converged when both hold the same logs and the same state digest.</summary>
    private async Task<ExchangeReport> Close(CancellationToken cancellationToken)
    {
        _mine = await mirror.GetView(cancellationToken);
        var farewell = await channel.Send(new Done(_mine), cancellationToken);
        if (farewell is Refused refusedDone)
            return Report(ExchangeOutcome.RefusedByDevice, _mine, Theirs, refusedDone, "device refused done");
        if (farewell is not Done done)
            return Unexpected(farewell);
        if (done.View.DeviceLog != _mine.DeviceLog || done.View.MirrorLog != _mine.MirrorLog)
            // The device wrote more while we were closing (a command finished late): the next window picks it up.
            return Report(ExchangeOutcome.Converged, _mine, done.View, null,
                $"device moved on during the exchange: {done.View}");
        return done.View.StateDigest == _mine.StateDigest
            ? Report(ExchangeOutcome.Converged, _mine, done.View, null, "")
            : Report(ExchangeOutcome.DigestMismatch, _mine, done.View, null,
                $"same logs, digests differ: mirror {_mine.StateDigest.Short}, device {done.View.StateDigest.Short}");
    }

    private async Task<ExchangeReport> Refuse(SyncView? theirs, ChainCheck reason, Origin? divergedLog, CancellationToken cancellationToken)
    {
        if (divergedLog is { } log)
            await mirror.MarkDiverged(log, reason, cancellationToken);
        var refusal = Refused.From(reason);
        // Best effort: the device learns why; its answer changes nothing here.
        await channel.Send(refusal, cancellationToken);
        return Report(ExchangeOutcome.RefusedByMirror, _mine, theirs, refusal, divergedLog is null ? "" : $"{divergedLog} log diverged");
    }

    private ExchangeReport Unexpected(ExchangeMessage answer) =>
        Report(ExchangeOutcome.ProtocolError, _mine, null, null, $"unexpected {answer.GetType().Name}");

    private ExchangeReport Report(ExchangeOutcome outcome, SyncView? mine, SyncView? theirs, Refused? refusal, string detail) =>
        new(_sessionId, outcome, _pushed, _pulled, mine, theirs, refusal, detail);
}
