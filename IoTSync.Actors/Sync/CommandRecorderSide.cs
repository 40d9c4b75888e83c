using Akka.Actor;
using IoTSync.Device;
using IoTSync.Logs;
using static IoTSync.Logs.LogHolderMessages;

namespace IoTSync.Sync;

/// <summary>The device's half of an exchange, served by a <see cref="CommandRecorder"/>.</summary>
public sealed class CommandRecorderSide(IActorRef commandRecorder, TimeSpan timeout) : IDeviceSide
{
    public Task<SyncView> GetView(CancellationToken cancellationToken) =>
        commandRecorder.Ask<SyncView>(LogHolderMessages.GetView.Instance, timeout, cancellationToken);

    public async Task<AppendResult> AppendMirrorEntries(IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken)
    {
        var answer = await commandRecorder.Ask<AppendAnswer>(new CommandRecorderMessages.AppendMirrorEntries([.. entries]), timeout, cancellationToken);
        return new AppendResult(answer.Check, answer.View);
    }

    public Task LogConfirmed(CancellationToken cancellationToken)
    {
        // Told, not asked: the exchange's next request reaches the recorder after it all the same.
        commandRecorder.Tell(CommandRecorderMessages.LogConfirmedByMirror.Instance);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<LogEntry>> ReadDeviceLog(long fromSequence, int maxEntries, CancellationToken cancellationToken) =>
        (await commandRecorder.Ask<LogRange>(new ReadLog(Origin.Device, fromSequence, maxEntries), timeout, cancellationToken)).Entries;
}
