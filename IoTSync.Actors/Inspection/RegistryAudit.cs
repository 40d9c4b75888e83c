using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Serialization;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.Inspection;

/// <summary>
/// Audits the mirror's <see cref="DeviceRegistry"/> journal (<c>device-registry</c>) as its events
/// stream past: no gap from event 1 (the registry deletes nothing), every payload decodes to a
/// registry event, and each chained event's hash holds (<see cref="RegistryChain"/>), so that an
/// enrolment, pinned host key or certificate edited in the database is named. Pure.
/// </summary>
public sealed class RegistryAudit
{
    private readonly List<Finding> _findings = [];
    private Sha256Hash _head = RegistryChain.Genesis;
    private long _last;
    private long _events;
    private long _chained;

    public IReadOnlyList<Finding> Findings => _findings;

    public void Feed(StoredEvent stored)
    {
        var at = stored.JournalSequenceNr;
        _events++;
        if (at > _last + 1)
            _findings.Add(new Finding(null, FindingPlace.Registry, _last + 1, null,
                _last + 1 == at - 1 ? $"event {_last + 1} is missing" : $"events {_last + 1}..{at - 1} are missing"));
        _last = Math.Max(_last, at);
        switch (stored.Event)
        {
            case DeviceEnrolled or DeviceDisabled or DeviceEnabled or CredentialsRotated:
                var @event = (IIoTSyncMessage)stored.Event;
                var (head, problem) = RegistryChain.Check(_head, @event);
                if (RegistryChain.StoredHash(@event) is not null)
                    _chained++;
                if (problem is not null)
                    _findings.Add(new Finding(null, FindingPlace.Registry, at, null, $"{RegistryChain.Describe(@event)}: {problem}"));
                _head = head;
                break;
            case UndecodablePayload bad:
                _findings.Add(new Finding(null, FindingPlace.Registry, at, null, $"the '{bad.Manifest}' payload does not decode: {bad.Reason}"));
                break;
            case var other:
                _findings.Add(new Finding(null, FindingPlace.Registry, at, null,
                    $"a '{(other is IIoTSyncMessage ? IoTSyncCodec.ManifestOf(other) : other.GetType().Name)}' event does not belong in the device registry"));
                break;
        }
    }

    /// <summary>One line for <c>journal verify</c>.</summary>
    public string Describe() =>
        $"device registry: {_events} events, {_chained} hash-chained" +
        (_events > _chained ? $" ({_events - _chained} written before the registry was chained)" : "") +
        $", head {_head.Short}";
}
