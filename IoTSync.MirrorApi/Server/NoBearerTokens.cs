namespace IoTSync.MirrorApi.Server;

/// <summary>No token is accepted: TCP callers are refused with 401 (the token store replaces this).</summary>
public sealed class NoBearerTokens : IBearerTokens
{
    public BearerCaller? Authenticate(string token) => null;
}
