using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using IoTSync.Logs;
using IoTSync.Serialization;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.Mirror;

/// <summary>
/// The enrolled devices: SSH endpoint, pinned host key, heartbeat key, whether disabled, the key a
/// rotation retired. Persistent, one per mirror node; its current state is also published to
/// <see cref="DeviceKeyCache"/> so the heartbeat listener can look keys up without a round trip, and
/// a disable takes effect for the next heartbeat. What to change is decided by <see cref="RegistryState"/>.
/// </summary>
public sealed class DeviceRegistry : ReceivePersistentActor
{
    public const string Id = "device-registry";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly DeviceKeyCache _cache;
    private readonly Logs.JournalSupervisorLink _supervisor = new();
    private RegistryState _state = RegistryState.Empty;
    private Sha256Hash _head = RegistryChain.Genesis;

    public DeviceRegistry(DeviceKeyCache cache)
    {
        _cache = cache;
        Recover<SnapshotOffer>(offer => _state = (RegistryState)offer.Snapshot);
        Recover<DeviceEnrolled>(Recovered);
        Recover<DeviceDisabled>(Recovered);
        Recover<DeviceEnabled>(Recovered);
        Recover<CredentialsRotated>(Recovered);
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
            PersistAll(Sealed(events.CastArray<IIoTSyncMessage>()).Cast<DeviceEnrolled>(), enrolled =>
            {
                _state = _state.Apply(enrolled);
                _cache.Replace(_state);
                _supervisor.Wrote();
                _log.Info("[{0}] enrolled: ssh {1}@{2}:{3}, host key {4}", enrolled.Device.Device, enrolled.Device.SshUser,
                    enrolled.Device.SshHost, enrolled.Device.SshPort, enrolled.Device.HostKeyFingerprint);
                caller.Tell(reply);
            });
        });
        Command<Disable>(disable => Change(_state.Decide(disable)));
        Command<Enable>(enable => Change(_state.Decide(enable)));
        Command<Rotate>(rotate => Change(_state.Decide(rotate)));
        Command<ListDevices>(_ => Sender.Tell(new Devices([.. _state.ById.Values.Select(d => d.Listing)])));
        Command<CountDevices>(_ => Sender.Tell(new DeviceCount(_state.ById.Count)));
        Command<Logs.JournalSupervisorMessages.Attach>(_ => _supervisor.Attach(Sender));
        Command<Logs.JournalSupervisorMessages.GetJournalHealth>(_ => Sender.Tell(Logs.JournalSupervisorLink.Health));
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "journal write of {0} at {1} failed; stopping so a restart recovers from the journal", @event.GetType().Name, sequenceNr);
        _supervisor.Failed(cause, Sender, Self);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    /// <summary>Persists the decision's events, publishes the new state, then answers; answers at once when there is nothing to write.</summary>
    private void Change((object Reply, ImmutableArray<IIoTSyncMessage> Events) decision)
    {
        var (reply, events) = decision;
        var caller = Sender;
        if (events.IsEmpty)
        {
            caller.Tell(reply);
            return;
        }
        PersistAll(Sealed(events), @event =>
        {
            _state = _state.Apply(@event);
            _cache.Replace(_state);
            _supervisor.Wrote();
            switch (@event)
            {
                case DeviceDisabled disabled:
                    _log.Warning("[{0}] disabled: its heartbeats, sessions and new commands are refused from now on", disabled.Device);
                    break;
                case DeviceEnabled enabled:
                    _log.Info("[{0}] enabled again", enabled.Device);
                    break;
                case CredentialsRotated rotated:
                    _log.Info("[{0}] credentials rotated: the previous heartbeat key{1} is honoured until {2} (unix ms), then refused", rotated.Device,
                        rotated.Certificate is { } pin ? $" and certificate (now pinned: {pin.Sha256})" : "", rotated.AtUnixMs + (long)_cache.RotationOverlap.TotalMilliseconds);
                    break;
            }
            caller.Tell(reply);
        });
    }

    public override string PersistenceId => Id;

    /// <summary>
    /// An event in recovery: applied, and checked against the chain; an edited one is applied as
    /// stored (the registry as it stands is what the node has) and alerted, and <c>journal verify</c> names it.
    /// </summary>
    private void Recovered(IIoTSyncMessage @event)
    {
        var (head, problem) = RegistryChain.Check(_head, @event);
        if (problem is not null)
            _log.Error("ALERT device registry event {0} ({1}) does not hold: {2}; run 'journal verify'", LastSequenceNr, RegistryChain.Describe(@event), problem);
        _head = head;
        _state = _state.Apply(@event);
    }

    /// <summary>The events to persist, each with its hash in the chain; the head moves past them.</summary>
    private ImmutableArray<IIoTSyncMessage> Sealed(ImmutableArray<IIoTSyncMessage> events)
    {
        var sealedEvents = ImmutableArray.CreateBuilder<IIoTSyncMessage>(events.Length);
        foreach (var @event in events)
        {
            (var sealedEvent, _head) = RegistryChain.Seal(_head, @event);
            sealedEvents.Add(sealedEvent);
        }
        return sealedEvents.MoveToImmutable();
    }

    public static Props Props(DeviceKeyCache cache) => Akka.Actor.Props.Create(() => new DeviceRegistry(cache));
}
