using Akka.Actor;
using IoTSync.Journal;
using IoTSync.Mirror;
using static IoTSync.Journal.LogHolderMessages;

namespace IoTSync.Sync;

/// <summary>
/// The mirror's half of an exchange, served by a <see cref="StateJournal"/> — directly, or through
/// the <see cref="StateJournals"/> parent when <paramref name="device"/> is given.
/// </summary>
public sealed class StateJournalSide(IActorRef stateJournal, TimeSpan timeout, Model.DeviceId? device = null) : IMirrorSide
{
    private Task<T> Ask<T>(object message, CancellationToken cancellationToken) =>
        stateJournal.Ask<T>(device is { } id ? new ForDevice(id, message) : message, timeout, cancellationToken);

    public Task<SyncView> GetView(CancellationToken cancellationToken) =>
        Ask<SyncView>(LogHolderMessages.GetView.Instance, cancellationToken);

    public async Task<string?> Divergence(CancellationToken cancellationToken) =>
        (await Ask<StateJournalState>(LogHolderMessages.GetState.Instance, cancellationToken)).Divergence?.Describe();

    public async Task<IReadOnlyList<LogEntry>> ReadMirrorLog(long fromSequence, int maxEntries, CancellationToken cancellationToken) =>
        (await Ask<LogRange>(new ReadLog(Origin.Mirror, fromSequence, maxEntries), cancellationToken)).Entries;

    public async Task<AppendResult> AppendDeviceEntries(IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken)
    {
        var answer = await Ask<AppendAnswer>(new StateJournalMessages.AppendDeviceEntries([.. entries]), cancellationToken);
        return new AppendResult(answer.Check, answer.View);
    }

    public Task ConfirmDelivery(LogPosition mirrorLogAtDevice, CancellationToken cancellationToken) =>
        Ask<StateJournalMessages.Acknowledged>(new StateJournalMessages.ConfirmDelivery(mirrorLogAtDevice), cancellationToken);

    public Task MarkDiverged(Origin log, ChainCheck reason, CancellationToken cancellationToken) =>
        Ask<StateJournalMessages.Acknowledged>(new StateJournalMessages.MarkDiverged(log, reason.Verdict, reason.Sequence, reason.Detail), cancellationToken);
}
