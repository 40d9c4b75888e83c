using System.Collections.Immutable;
using IoTSync.Journal;
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

    public async Task<ExchangeReport> Run(string sessionId, CancellationToken cancellationToken)
    {
        var mine = await mirror.GetView(cancellationToken);
        if (await mirror.Divergence(cancellationToken) is { } divergence)
            return Report(sessionId, ExchangeOutcome.Diverged, mine, null, null, divergence);
        var greeting = await channel.Send(new Hello(device, sessionId, ExchangeMessage.ProtocolVersion, mine), cancellationToken);
        if (greeting is Refused refusedHello)
            return Report(sessionId, ExchangeOutcome.RefusedByDevice, mine, null, refusedHello, "device refused the hello");
        if (greeting is not Hello hello)
            return Unexpected(sessionId, mine, greeting);
        if (hello.Device != device || hello.Version != ExchangeMessage.ProtocolVersion || hello.SessionId != sessionId)
            return await Refuse(sessionId, mine, hello.View, ChainCheck.Reject(Verdict.Malformed, 0,
                $"hello from device {hello.Device}, session {hello.SessionId}, version {hello.Version}"), divergedLog: null, cancellationToken);

        var deviceView = hello.View;
        var deviceClaim = ChainVerifier.CheckClaim(mine.DeviceLog, deviceView.DeviceLog);
        if (deviceClaim.IsRejection)
            return await Refuse(sessionId, mine, deviceView, deviceClaim, Origin.Device, cancellationToken);
        var mirrorClaim = await PrefixCheck.OfOwnLog(device, Origin.Mirror, mine.MirrorLog, deviceView.MirrorLog, mirror.ReadMirrorLog, cancellationToken);
        if (mirrorClaim.IsRejection)
            return await Refuse(sessionId, mine, deviceView, mirrorClaim, Origin.Mirror, cancellationToken);
        await mirror.ConfirmDelivery(deviceView.MirrorLog, cancellationToken);

        while (deviceView.MirrorLog.Length < mine.MirrorLog.Length)
        {
            var batch = await mirror.ReadMirrorLog(deviceView.MirrorLog.Length + 1, settings.MaxBatchEntries, cancellationToken);
            if (batch.Count == 0 || batch[0].Sequence != deviceView.MirrorLog.Length + 1)
                return Report(sessionId, ExchangeOutcome.ProtocolError, mine, deviceView, null,
                    $"mirror journal returned no entries from {deviceView.MirrorLog.Length + 1}");
            var answer = await channel.Send(new PushEntries([.. batch]), cancellationToken);
            if (answer is Refused refusedPush)
                return Report(sessionId, ExchangeOutcome.RefusedByDevice, mine, deviceView, refusedPush, "device refused pushed entries");
            if (answer is not PushAccepted accepted)
                return Unexpected(sessionId, mine, answer);
            if (accepted.View.MirrorLog.Length < batch[^1].Sequence)
                return Report(sessionId, ExchangeOutcome.ProtocolError, mine, accepted.View, null,
                    $"device accepted the push but holds only {accepted.View.MirrorLog.Length} of {batch[^1].Sequence} mirror entries");
            _pushed += batch.Count;
            deviceView = accepted.View;
            await mirror.ConfirmDelivery(deviceView.MirrorLog, cancellationToken);
            mine = await mirror.GetView(cancellationToken);
        }

        while (deviceView.DeviceLog.Length > mine.DeviceLog.Length)
        {
            var answer = await channel.Send(new PullRequest(mine.DeviceLog.Length + 1, settings.MaxBatchEntries), cancellationToken);
            if (answer is Refused refusedPull)
                return Report(sessionId, ExchangeOutcome.RefusedByDevice, mine, deviceView, refusedPull, "device refused the pull");
            if (answer is not PulledEntries pulled)
                return Unexpected(sessionId, mine, answer);
            if (pulled.Entries.IsDefaultOrEmpty)
                return Report(sessionId, ExchangeOutcome.ProtocolError, mine, deviceView, null,
                    $"device reports {deviceView.DeviceLog.Length} entries but sent none from {mine.DeviceLog.Length + 1}");
            var appended = await mirror.AppendDeviceEntries(pulled.Entries, cancellationToken);
            if (appended.Check.IsRejection)
                return await Refuse(sessionId, mine, deviceView, appended.Check,
                    appended.Check.Verdict == Verdict.Fork ? Origin.Device : null, cancellationToken);
            if (appended.View.DeviceLog.Length <= mine.DeviceLog.Length)
                return Report(sessionId, ExchangeOutcome.ProtocolError, appended.View, deviceView, null,
                    "pulled entries did not advance the device log replica");
            _pulled += appended.View.DeviceLog.Length > mine.DeviceLog.Length
                ? (int)(appended.View.DeviceLog.Length - mine.DeviceLog.Length)
                : 0;
            mine = appended.View;
        }

        mine = await mirror.GetView(cancellationToken);
        var farewell = await channel.Send(new Done(mine), cancellationToken);
        if (farewell is Refused refusedDone)
            return Report(sessionId, ExchangeOutcome.RefusedByDevice, mine, deviceView, refusedDone, "device refused done");
        if (farewell is not Done done)
            return Unexpected(sessionId, mine, farewell);
        if (done.View.DeviceLog != mine.DeviceLog || done.View.MirrorLog != mine.MirrorLog)
            // The device wrote more while we were closing (a command finished late): the next window picks it up.
            return Report(sessionId, ExchangeOutcome.Converged, mine, done.View, null,
                $"device moved on during the exchange: {done.View}");
        return done.View.StateDigest == mine.StateDigest
            ? Report(sessionId, ExchangeOutcome.Converged, mine, done.View, null, "")
            : Report(sessionId, ExchangeOutcome.DigestMismatch, mine, done.View, null,
                $"same logs, digests differ: mirror {mine.StateDigest.Short}, device {done.View.StateDigest.Short}");
    }

    private async Task<ExchangeReport> Refuse(string sessionId, SyncView mine, SyncView? theirs, ChainCheck reason,
        Origin? divergedLog, CancellationToken cancellationToken)
    {
        if (divergedLog is { } log)
            await mirror.MarkDiverged(log, reason, cancellationToken);
        var refusal = Refused.From(reason);
        // Best effort: the device learns why; its answer changes nothing here.
        await channel.Send(refusal, cancellationToken);
        return Report(sessionId, ExchangeOutcome.RefusedByMirror, mine, theirs, refusal, divergedLog is null ? "" : $"{divergedLog} log diverged");
    }

    private ExchangeReport Unexpected(string sessionId, SyncView mine, ExchangeMessage answer) =>
        Report(sessionId, ExchangeOutcome.ProtocolError, mine, null, null, $"unexpected {answer.GetType().Name}");

    private ExchangeReport Report(string sessionId, ExchangeOutcome outcome, SyncView? mine, SyncView? theirs, Refused? refusal, string detail) =>
        new(sessionId, outcome, _pushed, _pulled, mine, theirs, refusal, detail);
}
