using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTSync.MirrorApi.Server;

/// <summary>
/// Who is calling: over the control socket, the local Unix user with the admin role; over TCP, the
/// bearer token's name and role. Anything else is anonymous and gets 401 from every resource.
/// The caller's name is what commands are recorded as issued by (<c>cli:USER</c>, <c>token:NAME</c>).
/// </summary>
public sealed class CallerAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IBearerTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "iotsync";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ControlSocketDoor.LocalUser(Context) is { } user)
            return Task.FromResult(Success($"cli:{user}", ApiRoles.Admin));
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
            return Task.FromResult(AuthenticateResult.NoResult());
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
            return Task.FromResult(AuthenticateResult.Fail("the Authorization header must be 'Bearer TOKEN'"));
        return Task.FromResult(tokens.Authenticate(header["Bearer ".Length..].Trim()) is { } caller
            ? Success($"token:{caller.Name}", caller.Role)
            : AuthenticateResult.Fail("the token is not known, revoked or expired"));
    }

    private AuthenticateResult Success(string name, string role) =>
        AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], SchemeName)), SchemeName));

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer realm=\"iotsync-mirror\"";
        return ApiProblemWriter.Write(Context, new ApiProblem(401, "Unauthorized", "a bearer token is required (iotsync-mirror token create)"));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblemWriter.Write(Context, new ApiProblem(403, "Forbidden", $"the token's role ({Context.User.FindFirstValue(ClaimTypes.Role)}) does not allow this"));
}

/// <summary>The bearer tokens the API accepts: a token's caller, or null when unknown, revoked or expired.</summary>
public interface IBearerTokens
{
    BearerCaller? Authenticate(string token);
}

/// <summary>A token's name and its role (<see cref="ApiRoles"/>).</summary>
public sealed record BearerCaller(string Name, string Role);
