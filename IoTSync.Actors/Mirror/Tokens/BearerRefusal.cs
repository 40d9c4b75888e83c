namespace IoTSync.Mirror.Tokens;

/// <summary>Why <see cref="ApiTokenCache.Check"/> refused a presented token.</summary>
public enum BearerRefusal
{
    /// <summary>Not the shape of a token (<c>iotsync_</c> and 43 base64url characters); nothing was looked up.</summary>
    Malformed = 1,

    /// <summary>No token has this text.</summary>
    Unknown = 2,

    /// <summary>The token's expiry has passed.</summary>
    Expired = 3,

    /// <summary>The token was revoked.</summary>
    Revoked = 4,
}
