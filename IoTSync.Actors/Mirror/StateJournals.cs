using Akka.Actor;
using IoTSync.Logs;

namespace IoTSync.Mirror;

/// <summary>
/// Parent of the per-device journals on a single mirror node: creates each device's
/// <see cref="StateJournalEntity"/> on first use and forwards every <see cref="IWithDeviceId"/> message to it.
/// A cluster node has a Cluster.Sharding region in its place (<see cref="Cluster.MirrorCluster"/>), whose message
/// extractor reads the same marker and whose entity is the same.
/// </summary>
public sealed class StateJournals : ReceiveActor
{
    public StateJournals(StateJournalSettings settings, IWallClock wall, DeviceBoard? board = null)
    {
        Receive<IWithDeviceId>(message =>
        {
            var name = StateJournal.PersistenceIdPrefix + message.Device.Value;
            var journal = Context.Child(name).IsNobody()
                ? Context.ActorOf(StateJournalEntity.Props(message.Device, settings, wall, board), name)
                : Context.Child(name);
            journal.Forward(message);
        });
    }

    /// <summary>The journals; each posts its device's summary to <paramref name="board"/> (none: to no board) when it changes.</summary>
    public static Props Props(StateJournalSettings settings, IWallClock wall, DeviceBoard? board = null) =>
        Akka.Actor.Props.Create(() => new StateJournals(settings, wall, board));
}
