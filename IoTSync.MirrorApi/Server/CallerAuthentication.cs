using System.Security.Claims;
using System.Text.Encodings.Web;
using Akka.Actor;
using Akka.Event;
using IoTSync.Mirror;
using IoTSync.Mirror.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTSync.MirrorApi.Server;

/// <summary>
/// Who is calling: over the control socket, the local Unix user with the admin role; over TCP, the
/// bearer token's name and role from the <see cref="ApiTokenCache"/> the token store keeps current.
/// Anything else is anonymous and gets 401 from every resource; a token refused is counted and logged
/// with its reason (never the token). The caller's name is what commands are recorded as issued by
/// (<c>cli:USER</c>, <c>token:NAME</c>).
/// </summary>
public sealed class CallerAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    MirrorNodeParts parts, ActorSystem system)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "iotsync";
    private const string BearerPrefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ControlSocketDoor.LocalUser(Context) is { } user)
            return Task.FromResult(Success($"cli:{user}", ApiRole.Admin));
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
            return Task.FromResult(AuthenticateResult.NoResult());
        var check = header.StartsWith(BearerPrefix, StringComparison.Ordinal)
            ? parts.Tokens.Check(header[BearerPrefix.Length..].Trim())
            : ApiAuthentication.Refused(BearerRefusal.Malformed);
        if (check.Principal is { } principal)
            return Task.FromResult(Success($"token:{principal.Name}", principal.Role));
        parts.Refusals.Count(Security.Refusals.ApiToken);
        Logging.GetLogger(system, "iotsync-mirror").Warning("API request {0} {1} from {2} refused: token {3}",
            Request.Method, Request.Path, Context.Connection.RemoteIpAddress, check.Refusal?.ToString().ToLowerInvariant());
        return Task.FromResult(AuthenticateResult.Fail("the token is malformed, unknown, expired or revoked"));
    }

    private AuthenticateResult Success(string name, ApiRole role) =>
        AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role.Word())], SchemeName)), SchemeName));

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer realm=\"iotsync-mirror\"";
        return ApiProblemWriter.Write(Context, new ApiProblem(401, "Unauthorized",
            Request.Headers.Authorization.Count == 0
                ? "a bearer token is required (iotsync-mirror token create)"
                : "the token is malformed, unknown, expired or revoked"));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        parts.Refusals.Count(Security.Refusals.ApiRole);
        return ApiProblemWriter.Write(Context, new ApiProblem(403, "Forbidden", $"the token's role ({Context.User.FindFirstValue(ClaimTypes.Role)}) does not allow this"));
    }
}
