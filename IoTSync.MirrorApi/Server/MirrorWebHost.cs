using Akka.Configuration;
using IoTSync.Mirror;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace IoTSync.MirrorApi.Server;

/// <summary>
/// The mirror node as a web application: its actors (<see cref="MirrorNodeRegistration.AddMirrorNode"/>)
/// and the HTTP API in front of them, on the empty builder (no appsettings files or watchers in the working
/// directory). <c>iotsync-mirror run</c> and the in-process specs build it the same way.
/// </summary>
public static class MirrorWebHost
{
    /// <summary>The built application, not started; <paramref name="configure"/> adds what the caller needs (logging, lifetime).</summary>
    public static async Task<WebApplication> Build(Config config, MirrorNodeParts parts, Action<WebApplicationBuilder>? configure = null)
    {
        var api = MirrorApiSettings.FromConfig(config);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        await builder.WebHost.UseMirrorApiServer(api);
        configure?.Invoke(builder);
        builder.Services.AddMirrorNode(config, parts);
        builder.Services.AddMirrorApi(api);
        builder.Services.AddMirrorEvents(config);
        var app = builder.Build();
        app.UseMirrorApi();
        app.MapEventEndpoints();
        return app;
    }

    /// <summary>The TCP addresses the API is served on as bound (a port 0 shows the port taken), e.g. https://127.0.0.1:8443.</summary>
    public static IEnumerable<Uri> TcpAddresses(WebApplication app) =>
        (app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        .Where(a => !a.StartsWith("http://unix:", StringComparison.Ordinal))
        .Select(a => new Uri(a));
}
