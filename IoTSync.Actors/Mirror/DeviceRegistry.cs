using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using IoTSync.Model;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.Mirror;

/// <summary>
/// The enrolled devices: SSH endpoint, pinned host key, heartbeat key. Persistent, one per mirror
/// node; its current state is also published to <see cref="DeviceKeyCache"/> so the heartbeat
/// listener can look keys up without a round trip. What to enrol is decided by <see cref="RegistryState"/>.
/// </summary>
public sealed class DeviceRegistry : ReceivePersistentActor
{
    public const string Id = "device-registry";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly DeviceKeyCache _cache;
    private RegistryState _state = RegistryState.Empty;

    public DeviceRegistry(DeviceKeyCache cache)
    {
        _cache = cache;
        Recover<SnapshotOffer>(offer => _state = (RegistryState)offer.Snapshot);
        Recover<DeviceEnrolled>(enrolled => _state = _state.Apply(enrolled));
        Recover<RecoveryCompleted>(_ => _cache.Replace(_state));

        Command<Enrol>(enrol =>
        {
            var (reply, events) = _state.Decide(enrol);
            var caller = Sender;
            if (events.IsEmpty)
            {
                caller.Tell(reply);
                return;
            }
            PersistAll(events, enrolled =>
            {
                _state = _state.Apply(enrolled);
                _cache.Replace(_state);
                _log.Info("[{0}] enrolled: ssh {1}@{2}:{3}, host key {4}", enrolled.Device.Device, enrolled.Device.SshUser,
                    enrolled.Device.SshHost, enrolled.Device.SshPort, enrolled.Device.HostKeyFingerprint);
                caller.Tell(reply);
            });
        });
        Command<ListDevices>(_ => Sender.Tell(new Devices([.. _state.ById.Values.Select(d => d.Listing)])));
    }

    public override string PersistenceId => Id;

    public static Props Props(DeviceKeyCache cache) => Akka.Actor.Props.Create(() => new DeviceRegistry(cache));
}
