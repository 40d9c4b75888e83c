using IoTSync.Logs;
using IoTSync.Mirror.Tokens;
using IoTSync.Serialization;
using static IoTSync.Mirror.Tokens.ApiTokenEvents;

namespace IoTSync.Inspection;

/// <summary>
/// Audits the mirror's <see cref="ApiTokenStore"/> journal (<c>api-tokens</c>) as its events stream
/// past: no gap from event 1 (the store deletes nothing), every payload decodes to a token event, and
/// each event's hash holds (<see cref="ApiTokenChain"/>), so that a role, a token hash or a revocation
/// edited in the database is named. Pure.
/// </summary>
public sealed class ApiTokenAudit
{
    private readonly List<Finding> _findings = [];
    private ApiTokensState _state = ApiTokensState.Empty;
    private Sha256Hash _head = ApiTokenChain.Genesis;
    private long _last;
    private long _events;

    public IReadOnlyList<Finding> Findings => _findings;

    public void Feed(StoredEvent stored)
    {
        var at = stored.JournalSequenceNr;
        _events++;
        if (at > _last + 1)
            _findings.Add(new Finding(null, FindingPlace.Tokens, _last + 1, null,
                _last + 1 == at - 1 ? $"event {_last + 1} is missing" : $"events {_last + 1}..{at - 1} are missing"));
        _last = Math.Max(_last, at);
        switch (stored.Event)
        {
            case TokenCreated or TokenRevoked:
                var @event = (IIoTSyncMessage)stored.Event;
                var (head, problem) = ApiTokenChain.Check(_head, @event);
                if (problem is not null)
                    _findings.Add(new Finding(null, FindingPlace.Tokens, at, null, $"{ApiTokenChain.Describe(@event)}: {problem}"));
                _head = head;
                _state = _state.Apply(@event);
                break;
            case UndecodablePayload bad:
                _findings.Add(new Finding(null, FindingPlace.Tokens, at, null, $"the '{bad.Manifest}' payload does not decode: {bad.Reason}"));
                break;
            case var other:
                _findings.Add(new Finding(null, FindingPlace.Tokens, at, null,
                    $"a '{(other is IIoTSyncMessage ? IoTSyncCodec.ManifestOf(other) : other.GetType().Name)}' event does not belong in the API tokens"));
                break;
        }
    }

    /// <summary>One line for <c>journal verify</c>.</summary>
    public string Describe() =>
        $"api tokens: {_events} events, {_state.ByName.Count} not revoked, {_state.Revoked.Length} revoked, head {_head.Short}";
}
