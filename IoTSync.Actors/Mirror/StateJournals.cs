using Akka.Actor;
using IoTSync.Logs;
using IoTSync.Model;

namespace IoTSync.Mirror;

/// <summary>
/// Parent of the per-device <see cref="StateJournal"/> entities on a single mirror node: creates
/// each on first use, under its own <see cref="JournalSupervisor"/> (a failed write restarts it after a
/// back-off and is answered at once meanwhile), and forwards every <see cref="IWithDeviceId"/> message to it. A fleet
/// replaces it with a Cluster.Sharding region whose message extractor reads the same marker.
/// A device whose journal did not recover at all (<see cref="Unrecoverable"/>) is answered here, at
/// once, as corrupt (<see cref="StateJournalState.CorruptAnswer"/>), without starting its journal again.
/// </summary>
public sealed class StateJournals : ReceiveActor
{
    /// <summary>A device's StateJournal failed to recover and stops: its parent answers for the device from now on.</summary>
    public sealed record Unrecoverable(DeviceId Device, RecoveryFault Fault) : JournalSupervisorMessages.IJournalGaveUp;

    // Until the node restarts: an operator repairs or restores the journal with the node stopped.
    private readonly Dictionary<DeviceId, StateJournalState> _unrecoverable = [];

    public StateJournals(StateJournalSettings settings, IWallClock wall)
    {
        Receive<Unrecoverable>(failed => _unrecoverable[failed.Device] = StateJournalState.Empty(failed.Device) with { Corruption = failed.Fault });
        Receive<IWithDeviceId>(message =>
        {
            if (_unrecoverable.TryGetValue(message.Device, out var corrupt))
            {
                Sender.Tell(corrupt.CorruptAnswer(message));
                return;
            }
            var name = StateJournal.PersistenceIdPrefix + message.Device.Value;
            var journal = Context.Child(name).IsNobody()
                ? Context.ActorOf(JournalSupervisor.Props(StateJournal.Props(message.Device, settings, wall), "journal", message.Device.Value, settings.Journal.Restart), name)
                : Context.Child(name);
            journal.Forward(message);
        });
    }

    public static Props Props(StateJournalSettings settings, IWallClock wall) =>
        Akka.Actor.Props.Create(() => new StateJournals(settings, wall));
}
