using Akka.Actor;
using IoTSync.Journal;
using IoTSync.Model;
using IoTSync.Serialization;

namespace IoTSync.Mirror;

/// <summary>A message for one device's <see cref="StateJournal"/>, routed by <see cref="StateJournals"/>.</summary>
public sealed record ForDevice(DeviceId Device, object Message);

/// <summary>
/// Parent of the per-device <see cref="StateJournal"/> entities on a single mirror node: creates
/// each on first use and forwards to it. A fleet replaces it with a Cluster.Sharding region
/// that routes the same <see cref="ForDevice"/> envelope.
/// </summary>
public sealed class StateJournals : ReceiveActor
{
    public StateJournals(StateJournalSettings settings, IWallClock wall)
    {
        Receive<ForDevice>(envelope =>
        {
            var name = StateJournal.PersistenceIdPrefix + envelope.Device.Value;
            var journal = Context.Child(name).IsNobody()
                ? Context.ActorOf(StateJournal.Props(envelope.Device, settings, wall), name)
                : Context.Child(name);
            journal.Forward(envelope.Message);
        });
    }

    public static Props Props(StateJournalSettings settings, IWallClock wall) =>
        Akka.Actor.Props.Create(() => new StateJournals(settings, wall));
}
