using IoTSync.Logs;

namespace IoTSync.Mirror.Tokens;

/// <summary>
/// One API token as the store keeps it: its listing and the SHA-256 of its text (<see cref="BearerTokens.HashOf"/>),
/// the only trace of the text the mirror keeps.
/// </summary>
public sealed record ApiToken(ApiTokenName Name, ApiRole Role, Sha256Hash Sha256, long CreatedAtUnixMs, long? ExpiresAtUnixMs = null, long? RevokedAtUnixMs = null)
{
    /// <summary>True from <see cref="ExpiresAtUnixMs"/> on.</summary>
    public bool IsExpiredAt(long nowUnixMs) => ExpiresAtUnixMs is { } expires && nowUnixMs >= expires;

    /// <summary>The token without its hash: what replies and listings carry.</summary>
    public ApiTokenListing Listing => new(Name, Role, CreatedAtUnixMs, ExpiresAtUnixMs, RevokedAtUnixMs);

    // A record prints every property; the hash stays out of log lines all the same (it is what a stolen database would be searched for).
    public override string ToString() => $"ApiToken {{ {Listing} }}";
}
