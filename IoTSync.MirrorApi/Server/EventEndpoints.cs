using IoTSync.MirrorApi.Events;
using IoTSync.MirrorApi.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTSync.MirrorApi.Server;

/// <summary>
/// The live event streams (<c>GET /api/v1/events</c>, <c>/api/v1/devices/{id}/events</c>), the metrics
/// (<c>GET /metrics</c>), all for the read role, and the probes (<c>/healthz</c>, <c>/readyz</c>) for anyone.
/// docs/API.md ("Live events, metrics and probes") describes them.
/// </summary>
public static class EventEndpoints
{
    private const string EventStreamType = "text/event-stream";

    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder routes)
    {
        var events = routes.MapGroup(MirrorEndpoints.Prefix)
            .RequireAuthorization(ApiPolicies.Read)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        events.MapGet("/events", (HttpContext http, LiveEventStreams streams) => streams.Serve(http, null))
            .Produces(StatusCodes.Status200OK, contentType: EventStreamType);
        events.MapGet("/devices/{id}/events", (string id, HttpContext http, LiveEventStreams streams) => streams.Serve(http, id))
            .Produces(StatusCodes.Status200OK, contentType: EventStreamType).ProducesProblem(StatusCodes.Status404NotFound);
        // Operations, not the API: outside /api/v1 and its OpenAPI document.
        routes.MapGet("/metrics", async (MirrorMetrics metrics, CancellationToken cancel) =>
            Results.Bytes(await metrics.Scrape(cancel), MirrorMetrics.ContentType)).RequireAuthorization(ApiPolicies.Read).ExcludeFromDescription();
        // Probes say nothing but up or not: anyone may ask, so they tell nobody anything else.
        routes.MapGet("/healthz", () => Results.Text("ok\n")).ExcludeFromDescription();
        routes.MapGet("/readyz", async (Readiness readiness, CancellationToken cancel) =>
            await readiness.Ready(cancel) ? Results.Text("ready\n") : Results.Text("not ready\n", statusCode: StatusCodes.Status503ServiceUnavailable))
            .ExcludeFromDescription();
        return routes;
    }
}
