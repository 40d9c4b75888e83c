using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using IoTSync.Logs;
using IoTSync.Serialization;
using static IoTSync.Mirror.Tokens.ApiTokenEvents;
using static IoTSync.Mirror.Tokens.ApiTokenStoreMessages;

namespace IoTSync.Mirror.Tokens;

/// <summary>
/// The mirror's API tokens: created with a role and an optional expiry, listed, revoked. Persistent, one
/// per mirror node (<c>api-tokens</c>); it keeps only the SHA-256 of each token's text, hash-chained
/// (<see cref="ApiTokenChain"/>). Its state is published to <see cref="ApiTokenCache"/> after every
/// persisted event and at recovery, so the HTTP API authenticates without a round trip and a revocation
/// holds from the next request. What to change is decided by <see cref="ApiTokensState"/>.
/// </summary>
/// <remarks>
/// The token's text is made here, in the command handler, and given to the pure decision: no caller can
/// choose a token (a weak or a known one), and the text exists only in the reply to the one who asked,
/// sent after the event is durable. No snapshots: a mirror has a handful of tokens, and the chain is
/// checked from the first event at every recovery.
/// </remarks>
public sealed class ApiTokenStore : ReceivePersistentActor
{
    public const string Id = "api-tokens";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ApiTokenCache _cache;
    private readonly IWallClock _wall;
    private readonly JournalSupervisorLink _supervisor = new();
    private ApiTokensState _state = ApiTokensState.Empty;
    private Sha256Hash _head = ApiTokenChain.Genesis;

    public ApiTokenStore(ApiTokenCache cache, IWallClock wall)
    {
        _cache = cache;
        _wall = wall;
        Recover<TokenCreated>(Recovered);
        Recover<TokenRevoked>(Recovered);
        Recover<RecoveryCompleted>(_ =>
        {
            _cache.Replace(_state);
            _log.Info("api tokens recovered: {0} not revoked, {1} revoked", _state.ByName.Count, _state.Revoked.Length);
        });

        Command<CreateToken>(create => Change(_state.Decide(create, BearerTokens.New(), _wall.UtcNowMs)));
        Command<RevokeToken>(revoke => Change(_state.Decide(revoke, _wall.UtcNowMs)));
        Command<ListTokens>(_ => Sender.Tell(new TokenList(_state.Listing)));
        Command<JournalSupervisorMessages.Attach>(_ => _supervisor.Attach(Sender));
        Command<JournalSupervisorMessages.GetJournalHealth>(_ => Sender.Tell(JournalSupervisorLink.Health));
    }

    public override string PersistenceId => Id;

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "journal rejected {0} at {1}; nothing changed", @event.GetType().Name, sequenceNr);
        Sender.Tell(new Status.Failure(new InvalidOperationException($"journal rejected the write: {cause.Message}", cause)));
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
            // The head moves in the callback, not when sealing: an event the journal rejects must not be linked to.
            _head = ApiTokenChain.StoredHash(@event)!.Value;
            _state = _state.Apply(@event);
            _cache.Replace(_state);
            _supervisor.Wrote();
            switch (@event)
            {
                case TokenCreated created:
                    _log.Info("api token {0} created with role {1}{2}", created.Name, created.Role.Word(),
                        created.ExpiresAtUnixMs is { } expires ? $", expires at {expires} (unix ms)" : ", no expiry");
                    break;
                case TokenRevoked revoked:
                    _log.Warning("api token {0} revoked: refused from now on", revoked.Name);
                    break;
            }
            caller.Tell(reply);
        });
    }

    /// <summary>
    /// An event in recovery: applied, and checked against the chain; an edited one is applied as stored
    /// (as the device registry does: the journal as it stands is what the node has) and alerted, and
    /// <c>journal verify</c> names it.
    /// </summary>
    private void Recovered(IIoTSyncMessage @event)
    {
        var (head, problem) = ApiTokenChain.Check(_head, @event);
        if (problem is not null)
            _log.Error("ALERT api token event {0} ({1}) does not hold: {2}; run 'journal verify'", LastSequenceNr, ApiTokenChain.Describe(@event), problem);
        _head = head;
        _state = _state.Apply(@event);
    }

    /// <summary>The events to persist, each with its hash in the chain after the head.</summary>
    private ImmutableArray<IIoTSyncMessage> Sealed(ImmutableArray<IIoTSyncMessage> events)
    {
        var sealedEvents = ImmutableArray.CreateBuilder<IIoTSyncMessage>(events.Length);
        var head = _head;
        foreach (var @event in events)
        {
            (var sealedEvent, head) = ApiTokenChain.Seal(head, @event);
            sealedEvents.Add(sealedEvent);
        }
        return sealedEvents.MoveToImmutable();
    }

    public static Props Props(ApiTokenCache cache, IWallClock wall) => Akka.Actor.Props.Create(() => new ApiTokenStore(cache, wall));
}
