namespace IoTSync.Mirror.Tokens;

/// <summary>
/// One API token as listed and answered: its name, role, when it was created, when it expires (null:
/// never) and when it was revoked (null: not revoked). Never its hash, never its text.
/// </summary>
public sealed record ApiTokenListing(ApiTokenName Name, ApiRole Role, long CreatedAtUnixMs, long? ExpiresAtUnixMs, long? RevokedAtUnixMs)
{
    /// <summary>True when the token is honoured at <paramref name="nowUnixMs"/>: not revoked, and not expired.</summary>
    public bool IsLiveAt(long nowUnixMs) => RevokedAtUnixMs is null && !IsExpiredAt(nowUnixMs);

    /// <summary>True from <see cref="ExpiresAtUnixMs"/> on.</summary>
    public bool IsExpiredAt(long nowUnixMs) => ExpiresAtUnixMs is { } expires && nowUnixMs >= expires;

    /// <summary><c>live</c>, <c>expired</c> or <c>revoked</c> at <paramref name="nowUnixMs"/>: for tables and JSON.</summary>
    public string StatusAt(long nowUnixMs) => RevokedAtUnixMs is not null ? "revoked" : IsExpiredAt(nowUnixMs) ? "expired" : "live";
}
