using Akka.Actor;
using IoTSync.Logs;
using IoTSync.Mirror;
using static IoTSync.Logs.LogHolderMessages;

namespace IoTSync.Sync;

/// <summary>
/// The mirror's half of an exchange, served by <paramref name="device"/>'s <see cref="StateJournal"/>:
/// addressed directly, or through the <see cref="StateJournals"/> parent, which routes by the device every message names.
/// </summary>
public sealed class StateJournalSide(IActorRef stateJournal, TimeSpan timeout, Model.DeviceId device) : IMirrorSide
{
    private Task<T> Ask<T>(object message, CancellationToken cancellationToken) =>
        stateJournal.Ask<T>(message, timeout, cancellationToken);

    public Task<SyncView> GetView(CancellationToken cancellationToken) =>
        Ask<SyncView>(new StateJournalMessages.GetSyncView(device), cancellationToken);

    public async Task<string?> Divergence(CancellationToken cancellationToken) =>
        (await Ask<StateJournalState>(new StateJournalMessages.GetJournalState(device), cancellationToken)) is var state
            ? state.CorruptReason ?? state.Divergence?.Describe()
            : null;

    public async Task<IReadOnlyList<LogEntry>> ReadMirrorLog(long fromSequence, int maxEntries, CancellationToken cancellationToken) =>
        (await Ask<LogRange>(new StateJournalMessages.ReadLogRange(device, Origin.Mirror, fromSequence, maxEntries), cancellationToken)).Entries;

    public async Task<AppendResult> AppendDeviceEntries(IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken)
    {
        var answer = await Ask<AppendAnswer>(new StateJournalMessages.AppendDeviceEntries(device, [.. entries]), cancellationToken);
        return new AppendResult(answer.Check, answer.View);
    }

    public Task ConfirmDelivery(LogPosition mirrorLogAtDevice, CancellationToken cancellationToken) =>
        Ask<StateJournalMessages.Acknowledged>(new StateJournalMessages.ConfirmDelivery(device, mirrorLogAtDevice), cancellationToken);

    public Task MarkDiverged(Origin log, ChainCheck reason, CancellationToken cancellationToken) =>
        Ask<StateJournalMessages.Acknowledged>(new StateJournalMessages.MarkDiverged(device, log, reason.Verdict, reason.Sequence, reason.Detail), cancellationToken);
}
