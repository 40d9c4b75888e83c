using System.Security.Claims;
using IoTSync.MirrorApi.Resources;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace IoTSync.MirrorApi.Server;

/// <summary><c>GET /api/v1/whoami</c> (role read): the caller's name and role, as authentication found them.</summary>
public static class WhoAmIEndpoint
{
    public static RouteGroupBuilder MapWhoAmI(this RouteGroupBuilder api)
    {
        api.MapGet("/whoami", (ClaimsPrincipal caller) =>
            new WhoAmIResource(caller.Identity?.Name ?? "unknown", caller.FindFirstValue(ClaimTypes.Role) ?? ApiPolicies.Read)).RequireAuthorization(ApiPolicies.Read);
        return api;
    }
}
