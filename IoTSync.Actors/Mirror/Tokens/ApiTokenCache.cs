using System.Collections.Frozen;
using System.Security.Cryptography;
using IoTSync.Logs;

namespace IoTSync.Mirror.Tokens;

/// <summary>
/// The <see cref="ApiTokenStore"/>'s latest tokens, readable from any thread without a lock or a round
/// trip: what the HTTP API authenticates each request with. The store replaces the whole table after
/// every persisted event and at recovery; a revocation is refused from the next request on. Expiry is
/// judged against <see cref="IWallClock"/> at each lookup.
/// </summary>
public sealed class ApiTokenCache(IWallClock wall)
{
    private static readonly ApiAuthentication MalformedToken = ApiAuthentication.Refused(BearerRefusal.Malformed);
    private static readonly ApiAuthentication UnknownToken = ApiAuthentication.Refused(BearerRefusal.Unknown);
    private static readonly ApiAuthentication RevokedToken = ApiAuthentication.Refused(BearerRefusal.Revoked);
    private static readonly ApiAuthentication ExpiredToken = ApiAuthentication.Refused(BearerRefusal.Expired);

    /// <summary>A token and the answer for it while it is honoured, made once per publication rather than per request.</summary>
    private sealed record Entry(ApiToken Token, ApiAuthentication Accepted);

    private volatile FrozenDictionary<Sha256Hash, Entry> _byHash = FrozenDictionary<Sha256Hash, Entry>.Empty;

    /// <summary>Publishes the store's state: every token, revoked ones included (so a revoked one is refused as such).</summary>
    public void Replace(ApiTokensState state) =>
        // Two tokens with one hash would take 2^128 tries to make; the later one wins rather than failing the store.
        _byHash = state.All.GroupBy(t => t.Sha256).Select(g => g.Last())
            .ToFrozenDictionary(t => t.Sha256, t => new Entry(t, ApiAuthentication.Accepted(new ApiPrincipal(t.Name, t.Role))));

    /// <summary>How many tokens the cache holds, revoked ones included.</summary>
    public int Count => _byHash.Count;

    /// <summary>The principal a presented token stands for now, or null when it is refused for any reason.</summary>
    public ApiPrincipal? Authenticate(string? bearer) => Check(bearer).Principal;

    /// <summary>
    /// The presented token (the text after <c>Bearer </c>) checked now: well formed, known by the SHA-256 of
    /// its text, not revoked and not expired; the principal, or why it was refused.
    /// </summary>
    public ApiAuthentication Check(string? bearer)
    {
        if (!BearerTokens.IsWellFormed(bearer))
            return MalformedToken;
        Span<byte> digest = stackalloc byte[Sha256Hash.Length];
        BearerTokens.HashInto(bearer, digest);
        // The lookup is by the hash of the presented text, so how long it takes tells a caller nothing about
        // any stored token's text (finding a prefix of a stored hash needs preimages of SHA-256). The fixed-time
        // comparison after it is therefore belt and braces: it keeps the final check free of early exits.
        if (!_byHash.TryGetValue(Sha256Hash.FromBytes(digest), out var entry) || !CryptographicOperations.FixedTimeEquals(entry.Token.Sha256.Bytes, digest))
            return UnknownToken;
        if (entry.Token.RevokedAtUnixMs is not null)
            return RevokedToken;
        if (entry.Token.IsExpiredAt(wall.UtcNowMs))
            return ExpiredToken;
        return entry.Accepted;
    }
}
