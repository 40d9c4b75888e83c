using Akka.Actor;
using Akka.Configuration;
using IoTSync.Mirror;
using IoTSync.MirrorApi.Events;
using IoTSync.MirrorApi.Metrics;
using IoTSync.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IoTSync.MirrorApi.Server;

/// <summary>
/// The live events, the metrics and the probes in the mirror's web host: the hub and the metrics start
/// with the node (after its actor system), so that a client reconnecting finds what happened while it was
/// away and the counters count from the start, not from the first request.
/// </summary>
public static class EventRegistration
{
    public static IServiceCollection AddMirrorEvents(this IServiceCollection services, Config config)
    {
        var settings = EventStreamSettings.FromConfig(config);
        var database = IoTSyncPersistenceSettings.FromConfig(config).DatabasePath;
        services.AddSingleton(settings);
        services.AddSingleton<LiveEventHub>();
        services.AddSingleton<LiveEventStreams>();
        services.AddSingleton<Readiness>();
        services.AddSingleton(sp => new MirrorMetrics(sp.GetRequiredService<ActorSystem>(), sp.GetRequiredService<MirrorOperations>(),
            sp.GetRequiredService<MirrorNodeParts>(), sp.GetRequiredService<LiveEventHub>(), database));
        services.AddHostedService<Starter>();
        return services;
    }

    /// <summary>Creates the hub and the metrics at start; the hub is stopped (its streams ended) before the actor system.</summary>
    private sealed class Starter(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            services.GetRequiredService<MirrorMetrics>();
            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken) =>
            await services.GetRequiredService<LiveEventHub>().DisposeAsync();
    }
}
