using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace IoTSync.MirrorNode;

/// <summary>
/// The mirror's HTTP server until the HTTP API exists: it binds nothing. Kestrel would listen on a
/// default port when none is configured, and several mirrors run at once in the tests; the HTTP API's
/// issue replaces this with Kestrel on a configured address.
/// </summary>
public sealed class NoHttpServer : IServer
{
    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull =>
        Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
    }
}
