using IoTSync.MirrorApi.Events;
using IoTSync.MirrorApi.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTSync.MirrorApi.Server;

/// <summary>
/// The live event streams (<c>GET /api/v1/events</c>, <c>/api/v1/devices/{id}/events</c>), the metrics
/// (<c>GET /metrics</c>), all for the read role, and the probes (<c>/healthz</c>, <c>/readyz</c>) for anyone.
/// docs/API-events.md describes them.
/// </summary>
public static class EventEndpoints
{
    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet($"{MirrorEndpoints.Prefix}/events", (HttpContext http, LiveEventStreams streams) => streams.Serve(http, null))
            .RequireAuthorization(ApiRoles.Read);
        routes.MapGet($"{MirrorEndpoints.Prefix}/devices/{{id}}/events", (string id, HttpContext http, LiveEventStreams streams) => streams.Serve(http, id))
            .RequireAuthorization(ApiRoles.Read);
        routes.MapGet("/metrics", async (MirrorMetrics metrics, CancellationToken cancel) =>
            Results.Bytes(await metrics.Scrape(cancel), MirrorMetrics.ContentType)).RequireAuthorization(ApiRoles.Read);
        // Probes say nothing but up or not: anyone may ask, so they tell nobody anything else.
        routes.MapGet("/healthz", () => Results.Text("ok\n"));
        routes.MapGet("/readyz", async (Readiness readiness, CancellationToken cancel) =>
            await readiness.Ready(cancel) ? Results.Text("ready\n") : Results.Text("not ready\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        return routes;
    }
}
