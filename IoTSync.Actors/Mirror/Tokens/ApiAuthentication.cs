namespace IoTSync.Mirror.Tokens;

/// <summary>What <see cref="ApiTokenCache.Check"/> found: the principal, or why the token was refused.</summary>
public sealed record ApiAuthentication
{
    private ApiAuthentication(ApiPrincipal? principal, BearerRefusal? refusal)
    {
        Principal = principal;
        Refusal = refusal;
    }

    /// <summary>Who the request comes from; null when refused.</summary>
    public ApiPrincipal? Principal { get; }

    /// <summary>Why the token was refused; null when it was accepted.</summary>
    public BearerRefusal? Refusal { get; }

    public static ApiAuthentication Accepted(ApiPrincipal principal) => new(principal, null);

    public static ApiAuthentication Refused(BearerRefusal refusal) => new(null, refusal);
}
