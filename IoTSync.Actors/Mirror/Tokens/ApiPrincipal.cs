namespace IoTSync.Mirror.Tokens;

/// <summary>Who a request that presented a valid token comes from: the token's name and role.</summary>
public sealed record ApiPrincipal(ApiTokenName Name, ApiRole Role)
{
    /// <summary>True when this principal may do what <paramref name="needed"/> may.</summary>
    public bool Allows(ApiRole needed) => Role.Allows(needed);
}
