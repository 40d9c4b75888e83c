using Akka.Actor;
using IoTSync.Logs;

namespace IoTSync.Mirror;

/// <summary>
/// Parent of the per-device <see cref="StateJournal"/> entities on a single mirror node: creates
/// each on first use, under its own <see cref="JournalSupervisor"/> (a failed write restarts it after a
/// back-off and is answered at once meanwhile), and forwards every <see cref="IWithDeviceId"/> message to it. A fleet
/// replaces it with a Cluster.Sharding region whose message extractor reads the same marker.
/// </summary>
public sealed class StateJournals : ReceiveActor
{
    public StateJournals(StateJournalSettings settings, IWallClock wall)
    {
        Receive<IWithDeviceId>(message =>
        {
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
