using IoTSync.Logs;
using IoTSync.Serialization;
using static IoTSync.Mirror.Tokens.ApiTokenEvents;

namespace IoTSync.Mirror.Tokens;

/// <summary>
/// The hash chain over the <see cref="ApiTokenStore"/>'s events, as <see cref="RegistryChain"/> is over
/// the device registry's: an event edited in the database (a role raised, a hash swapped for one whose
/// text someone knows, a revocation removed or renamed) is found at recovery and by <c>journal verify</c>.
/// Each event's <c>Hash</c> is SHA-256 over the hash before it (the <see cref="Genesis"/> for the first),
/// the event's manifest and its encoding with the hash left out. Unlike the registry's, this journal was
/// chained from its first event: an event without a hash was edited. Pure.
/// </summary>
/// <remarks>
/// It finds an edit, not a forgery: whoever can write the database can recompute the chain (and the
/// database is the mirror's own, owner-only).
/// </remarks>
public static class ApiTokenChain
{
    /// <summary>The hash before the first event.</summary>
    public static Sha256Hash Genesis { get; } = Sha256Hash.Of("iotsync api-tokens genesis"u8);

    /// <summary>The hash an event stores, or null when it has none.</summary>
    public static Sha256Hash? StoredHash(IIoTSyncMessage @event) => @event switch
    {
        TokenCreated e => e.Hash,
        TokenRevoked e => e.Hash,
        _ => throw new ArgumentException($"{@event.GetType().Name} is not an API token event", nameof(@event)),
    };

    /// <summary>The event with <paramref name="hash"/> stored (null: none).</summary>
    public static IIoTSyncMessage WithHash(IIoTSyncMessage @event, Sha256Hash? hash) => @event switch
    {
        TokenCreated e => e with { Hash = hash },
        TokenRevoked e => e with { Hash = hash },
        _ => throw new ArgumentException($"{@event.GetType().Name} is not an API token event", nameof(@event)),
    };

    /// <summary>The chain's hash after <paramref name="event"/>, whatever hash it stores.</summary>
    public static Sha256Hash Next(Sha256Hash previous, IIoTSyncMessage @event) => EventChainLink.Next(previous, WithHash(@event, null));

    /// <summary>The event to persist after <paramref name="previous"/>: with its hash stored; and the chain's hash after it.</summary>
    public static (IIoTSyncMessage Sealed, Sha256Hash Head) Seal(Sha256Hash previous, IIoTSyncMessage @event)
    {
        var head = Next(previous, @event);
        return (WithHash(@event, head), head);
    }

    /// <summary>
    /// One event checked against the chain so far: why it does not hold (null when its stored hash
    /// matches), and the hash the next event links to — its stored hash when it has one, so that after an
    /// edited event the next one is judged on its own and only the edited ones are named.
    /// </summary>
    public static (Sha256Hash Head, string? Problem) Check(Sha256Hash previous, IIoTSyncMessage @event)
    {
        var computed = Next(previous, @event);
        return StoredHash(@event) switch
        {
            { } stored when stored != computed => (stored,
                $"the stored hash {stored.Short} does not match the event's content and the events before it ({computed.Short}): this event was edited"),
            { } stored => (stored, null),
            null => (computed, "the event carries no hash, and every token event is written with one: it was edited"),
        };
    }

    /// <summary>Names an event for a finding: its manifest and token.</summary>
    public static string Describe(IIoTSyncMessage @event)
    {
        var name = @event switch
        {
            TokenCreated e => e.Name.Value,
            TokenRevoked e => e.Name.Value,
            _ => "?",
        };
        return $"{IoTSyncCodec.ManifestOf(@event)} of token {name}";
    }
}
