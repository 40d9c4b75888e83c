namespace IoTSync.Mirror.Tokens;

/// <summary>Why the <see cref="ApiTokenStore"/> refused a request, for the HTTP status it maps to.</summary>
public enum TokenRefusal
{
    /// <summary>The request itself is malformed (no name, no role, a validity that is not positive): 400.</summary>
    Invalid = 1,

    /// <summary>A token that is not revoked already has the name: 409.</summary>
    Duplicate = 2,

    /// <summary>No token ever had the name: 404.</summary>
    Unknown = 3,
}
