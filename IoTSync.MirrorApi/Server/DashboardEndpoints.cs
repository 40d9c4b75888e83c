using System.Collections.Frozen;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTSync.MirrorApi.Server;

/// <summary>
/// The dashboard: a page, one JavaScript module and a style sheet embedded in this assembly (no build
/// step), served at <see cref="Prefix"/> without a token — the files hold no data; the page asks for a
/// token and calls the API with it. <c>/</c> leads there. Every file is sent with a Content-Security-Policy
/// that allows nothing but this origin (no inline script or style, no other host), and is left out of the
/// OpenAPI document, which describes the API alone.
/// </summary>
public static class DashboardEndpoints
{
    public const string Prefix = "/dashboard/";

    public const string ContentSecurityPolicy = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["dashboard.js"] = "text/javascript; charset=utf-8",
        ["dashboard.css"] = "text/css; charset=utf-8",
        ["icon.svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The files as embedded (logical names <c>dashboard/FILE</c>), read once.</summary>
    private static readonly Lazy<FrozenDictionary<string, byte[]>> Files = new(() => ContentTypes.Keys.ToFrozenDictionary(name => name, Read, StringComparer.Ordinal));

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", () => Results.Redirect(Prefix)).ExcludeFromDescription();
        // Routing takes /dashboard and /dashboard/ for one route; the page's relative links need the slash.
        routes.MapGet(Prefix, (HttpContext http) => http.Request.Path.Value!.EndsWith('/')
            ? Serve(http, "index.html")
            : Results.Redirect(Prefix).ExecuteAsync(http)).ExcludeFromDescription();
        routes.MapGet(Prefix + "{file}", (string file, HttpContext http) => Serve(http, file)).ExcludeFromDescription();
        return routes;
    }

    private static Task Serve(HttpContext http, string file)
    {
        if (!Files.Value.TryGetValue(file, out var bytes))
            throw ApiProblem.NotFound($"the dashboard has no file '{file}'");
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        // A node upgraded in place serves its new page at once.
        headers.CacheControl = "no-cache";
        http.Response.ContentType = ContentTypes[file];
        http.Response.ContentLength = bytes.Length;
        return http.Response.Body.WriteAsync(bytes, http.RequestAborted).AsTask();
    }

    private static byte[] Read(string file)
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream($"dashboard/{file}")
                           ?? throw new InvalidOperationException($"dashboard/{file} is not embedded in {typeof(DashboardEndpoints).Assembly.GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
