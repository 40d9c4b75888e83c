using System.Security.Claims;
using IoTSync.MirrorApi.Resources;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTSync.MirrorApi.Server;

/// <summary>
/// The API's routes under <c>/api/v1</c>, each with the role it needs; the work is in
/// <see cref="MirrorOperations"/>. docs/API.md lists them with examples.
/// </summary>
public static class MirrorEndpoints
{
    public const string Prefix = "/api/v1";

    public static IEndpointRouteBuilder MapMirrorEndpoints(this IEndpointRouteBuilder routes)
    {
        // Every resource may answer these; the writes add 409 and 413 below.
        var api = routes.MapGroup(Prefix)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        var devices = api.MapGroup("/devices");

        devices.MapGet("", (MirrorOperations ops, CancellationToken cancel) => ops.Devices(cancel)).RequireAuthorization(ApiPolicies.Read);
        devices.MapPost("", async (EnrolRequest request, MirrorOperations ops, CancellationToken cancel) =>
        {
            var enrolled = await ops.Enrol(request, cancel);
            return Results.Created($"{Prefix}/devices/{enrolled.Device}", enrolled);
        }).RequireAuthorization(ApiPolicies.Admin).Produces<EnrolledResource>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        api.MapGet("/reverse/authorized-keys", (MirrorOperations ops) => ops.ReverseAuthorizedKeys()).RequireAuthorization(ApiPolicies.Admin);

        var device = devices.MapGroup("/{id}");
        device.MapGet("", (string id, MirrorOperations ops, CancellationToken cancel) => ops.Device(id, cancel)).RequireAuthorization(ApiPolicies.Read);
        device.MapGet("/state", (string id, MirrorOperations ops, CancellationToken cancel) => ops.State(id, cancel)).RequireAuthorization(ApiPolicies.Read);
        device.MapGet("/entries", (string id, string? origin, long? from, int? limit, MirrorOperations ops, CancellationToken cancel) =>
            ops.Entries(id, origin, from, limit, cancel)).RequireAuthorization(ApiPolicies.Read);
        device.MapGet("/changes", (string id, string? since, int? limit, MirrorOperations ops, CancellationToken cancel) =>
            ops.Changes(id, since, limit, cancel)).RequireAuthorization(ApiPolicies.Read);
        device.MapGet("/windows", (string id, int? last, MirrorOperations ops, CancellationToken cancel) =>
            ops.Windows(id, last, cancel)).RequireAuthorization(ApiPolicies.Read);
        device.MapPost("/disable", (string id, MirrorOperations ops, CancellationToken cancel) => ops.SetDisabled(id, true, cancel))
            .RequireAuthorization(ApiPolicies.Admin).ProducesProblem(StatusCodes.Status409Conflict);
        device.MapPost("/enable", (string id, MirrorOperations ops, CancellationToken cancel) => ops.SetDisabled(id, false, cancel))
            .RequireAuthorization(ApiPolicies.Admin).ProducesProblem(StatusCodes.Status409Conflict);
        device.MapPost("/rotate", (string id, RotateRequest request, MirrorOperations ops, CancellationToken cancel) =>
            ops.Rotate(id, request, cancel)).RequireAuthorization(ApiPolicies.Admin);

        var commands = device.MapGroup("/commands");
        commands.MapPost("", async (string id, SubmitCommandRequest request, ClaimsPrincipal caller, MirrorOperations ops, CancellationToken cancel) =>
        {
            var command = await ops.Submit(id, request, Issuer(caller), cancel);
            return Results.Accepted($"{Prefix}/devices/{id}/commands/{command.Sequence}", command);
        }).RequireAuthorization(ApiPolicies.Operate).Produces<CommandResource>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        commands.MapGet("/{seq:long}", (string id, long seq, long? waitMs, MirrorOperations ops, CancellationToken cancel) =>
            waitMs is { } wait ? ops.AwaitCommand(id, seq, wait, cancel) : ops.Command(id, seq, cancel)).RequireAuthorization(ApiPolicies.Read);
        commands.MapPost("/{seq:long}/cancel", async (string id, long seq, ClaimsPrincipal caller, MirrorOperations ops, CancellationToken cancel) =>
            Results.Accepted($"{Prefix}/devices/{id}/commands/{seq}", await ops.Cancel(id, seq, Issuer(caller), cancel))).RequireAuthorization(ApiPolicies.Operate)
            .Produces<CommandResource>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status409Conflict);

        var tokens = api.MapGroup("/tokens").RequireAuthorization(ApiPolicies.Admin);
        tokens.MapPost("", async (CreateTokenRequest request, MirrorOperations ops, CancellationToken cancel) =>
        {
            var issued = await ops.CreateToken(request, cancel);
            return Results.Created($"{Prefix}/tokens/{issued.Token.Name}", issued);
        }).Produces<IssuedTokenResource>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict);
        tokens.MapGet("", (MirrorOperations ops, CancellationToken cancel) => ops.Tokens(cancel));
        tokens.MapPost("/{name}/revoke", (string name, MirrorOperations ops, CancellationToken cancel) => ops.RevokeToken(name, cancel));

        api.MapGet("/refusals", (MirrorOperations ops) => ops.RefusalCounts()).RequireAuthorization(ApiPolicies.Read);
        api.MapWhoAmI();
        return routes;
    }

    private static string Issuer(ClaimsPrincipal caller) => caller.Identity?.Name ?? "unknown";
}
