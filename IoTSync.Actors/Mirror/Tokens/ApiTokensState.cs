using System.Collections.Immutable;
using IoTSync.Serialization;
using static IoTSync.Mirror.Tokens.ApiTokenEvents;
using static IoTSync.Mirror.Tokens.ApiTokenStoreMessages;

namespace IoTSync.Mirror.Tokens;

/// <summary>
/// The <see cref="ApiTokenStore"/>'s state: the tokens that are not revoked, by name (expired ones
/// included: a name is free again once its token is revoked, not when it expires), and the revoked ones
/// in order of revocation. Pure: each <c>Decide</c> checks a request and gives the reply and the events
/// to persist; each <c>Apply</c> folds an event in. The time and the token's text are inputs, so the
/// same request decides the same way everywhere.
/// </summary>
public sealed record ApiTokensState(ImmutableSortedDictionary<string, ApiToken> ByName, ImmutableArray<ApiToken> Revoked)
{
    public static ApiTokensState Empty { get; } = new(ImmutableSortedDictionary.Create<string, ApiToken>(StringComparer.Ordinal), []);

    /// <summary>Every token ever created, revoked ones included, in order of creation (then name).</summary>
    public IEnumerable<ApiToken> All =>
        ByName.Values.Concat(Revoked).OrderBy(t => t.CreatedAtUnixMs).ThenBy(t => t.Name.Value, StringComparer.Ordinal);

    /// <summary>Every token as listed: no hash.</summary>
    public ImmutableArray<ApiTokenListing> Listing => [.. All.Select(t => t.Listing)];

    public ApiTokensState Apply(TokenCreated created) =>
        this with { ByName = ByName.SetItem(created.Name.Value, new ApiToken(created.Name, created.Role, created.TokenSha256, created.CreatedAtUnixMs, created.ExpiresAtUnixMs)) };

    /// <summary>The named token moves to the revoked ones; a name with no token that is not revoked changes nothing.</summary>
    public ApiTokensState Apply(TokenRevoked revoked) =>
        ByName.TryGetValue(revoked.Name.Value, out var token)
            ? new(ByName.Remove(revoked.Name.Value), Revoked.Add(token with { RevokedAtUnixMs = revoked.AtUnixMs }))
            : this;

    /// <summary>Folds in any of the store's events.</summary>
    public ApiTokensState Apply(IIoTSyncMessage @event) => @event switch
    {
        TokenCreated e => Apply(e),
        TokenRevoked e => Apply(e),
        _ => throw new ArgumentException($"{@event.GetType().Name} is not an API token event", nameof(@event)),
    };

    /// <summary>
    /// Creating a token whose text is <paramref name="bearer"/> at <paramref name="nowUnixMs"/>:
    /// <see cref="Issued"/> and the event (the text's hash, never the text), or <see cref="TokenRefused"/>
    /// and nothing — for a missing name or role, a validity that is not positive, or a name a token
    /// that is not revoked has (expired or not).
    /// </summary>
    public (object Reply, ImmutableArray<IIoTSyncMessage> Events) Decide(CreateToken create, string bearer, long nowUnixMs)
    {
        if (create.Name.Value is null)
            return (new TokenRefused(TokenRefusal.Invalid, ApiTokenName.Problem(null)!), []);
        if (!Enum.IsDefined(create.Role))
            return (new TokenRefused(TokenRefusal.Invalid, $"'{(int)create.Role}' is not a role: use {ApiRoles.Choices}"), []);
        if (create.ValidFor is { } validFor && validFor <= TimeSpan.Zero)
            return (new TokenRefused(TokenRefusal.Invalid, $"a token must be valid for some time, not {validFor}"), []);
        if (ByName.TryGetValue(create.Name.Value, out var existing))
            return (new TokenRefused(TokenRefusal.Duplicate,
                $"a token named '{create.Name}' exists{(existing.Listing.IsExpiredAt(nowUnixMs) ? " (expired)" : "")}; revoke it first or choose another name"), []);
        if (!BearerTokens.IsWellFormed(bearer))
            throw new ArgumentException("not a token's text (BearerTokens.New makes one)", nameof(bearer));
        long? expires = create.ValidFor is { } valid ? checked(nowUnixMs + (long)valid.TotalMilliseconds) : null;
        var @event = new TokenCreated(create.Name, create.Role, BearerTokens.HashOf(bearer), nowUnixMs, expires);
        return (new Issued(Apply(@event).ByName[create.Name.Value].Listing, bearer), [@event]);
    }

    /// <summary>
    /// Revoking the named token at <paramref name="nowUnixMs"/>: <see cref="Revoked"/> and the event; for a
    /// name whose token is revoked already, <see cref="Revoked"/> (the latest so named) and nothing; for a
    /// name no token ever had, <see cref="TokenRefused"/>.
    /// </summary>
    public (object Reply, ImmutableArray<IIoTSyncMessage> Events) Decide(RevokeToken revoke, long nowUnixMs)
    {
        if (revoke.Name.Value is null)
            return (new TokenRefused(TokenRefusal.Invalid, ApiTokenName.Problem(null)!), []);
        if (ByName.ContainsKey(revoke.Name.Value))
        {
            var @event = new TokenRevoked(revoke.Name, nowUnixMs);
            return (new Revoked(Apply(@event).Revoked[^1].Listing), [@event]);
        }
        var earlier = Revoked.LastOrDefault(t => t.Name == revoke.Name);
        return earlier is not null
            ? (new Revoked(earlier.Listing), [])
            : (new TokenRefused(TokenRefusal.Unknown, $"no token is named '{revoke.Name}'"), []);
    }
}
