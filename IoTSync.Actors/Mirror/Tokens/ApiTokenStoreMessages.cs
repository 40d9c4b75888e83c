using System.Collections.Immutable;

namespace IoTSync.Mirror.Tokens;

/// <summary>
/// What the <see cref="ApiTokenStore"/> is asked and answers. Local to the mirror process (the HTTP API
/// and the CLI's requests reach it through the API): none of these is an <c>IIoTSyncMessage</c>, so
/// <see cref="Issued"/>, which carries a token's text, cannot be serialized onto a wire or into a journal.
/// A request the store cannot write is answered with <c>Status.Failure</c> (<c>JournalUnavailableException</c>).
/// </summary>
public static class ApiTokenStoreMessages
{
    /// <summary>
    /// Create a token named <paramref name="Name"/> with <paramref name="Role"/>, valid for
    /// <paramref name="ValidFor"/> from its creation (null: until revoked). The store makes the token's
    /// text and reads the clock. Answered with <see cref="Issued"/> or <see cref="TokenRefused"/>.
    /// </summary>
    public sealed record CreateToken(ApiTokenName Name, ApiRole Role, TimeSpan? ValidFor = null);

    /// <summary>
    /// The token was stored: as listed, and its text (<see cref="Bearer"/>), given this once and kept
    /// nowhere; show it to the user and drop it.
    /// </summary>
    public sealed record Issued(ApiTokenListing Token, string Bearer)
    {
        // A reply that reaches dead letters (its asker timed out) is logged with ToString: never the token's text.
        public override string ToString() => $"Issued {{ Token = {Token}, Bearer = {BearerTokens.Prefix}… (not shown) }}";
    }

    /// <summary>
    /// Revoke the token named <paramref name="Name"/> that is not revoked yet: refused from now on, for good.
    /// Answered with <see cref="Revoked"/>, also when it was revoked already (nothing is written then), or
    /// <see cref="TokenRefused"/> for a name no token ever had.
    /// </summary>
    public sealed record RevokeToken(ApiTokenName Name);

    /// <summary>The token as it now stands: revoked.</summary>
    public sealed record Revoked(ApiTokenListing Token);

    /// <summary>Answered with <see cref="TokenList"/>.</summary>
    public sealed record ListTokens
    {
        public static ListTokens Instance { get; } = new();
    }

    /// <summary>Every token ever created, revoked ones included, in order of creation: no hash, no text.</summary>
    public sealed record TokenList(ImmutableArray<ApiTokenListing> All);

    /// <summary>Nothing was written: which kind of refusal, and why, in words for the user.</summary>
    public sealed record TokenRefused(TokenRefusal Kind, string Reason);
}
