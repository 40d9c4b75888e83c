using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Hosting.Systemd;

namespace IoTSync.Hosting;

/// <summary>
/// A node's lifetime: under a service manager that gave it a notify socket (a systemd unit with
/// <c>Type=notify</c>), Microsoft.Extensions.Hosting.Systemd's lifetime, which sends <c>READY=1</c> once
/// the host has started and <c>STOPPING=1</c> when it stops, and <see cref="SystemdWatchdog"/>; otherwise
/// the console lifetime. Both stop the host on SIGTERM and SIGINT.
/// </summary>
public static class NodeSystemd
{
    /// <summary>The variable systemd sets to the notify socket's path (a leading '@' for an abstract one).</summary>
    public const string NotifySocketVariable = "NOTIFY_SOCKET";

    /// <summary>
    /// Registers the lifetime. The notify socket decides, not <see cref="SystemdHelpers.IsSystemdService"/>:
    /// that asks whether the parent is systemd, which a unit's main process under a supervisor other than
    /// PID 1 (or a test that binds the socket) is not, although it must still report readiness.
    /// </summary>
    public static IServiceCollection AddNodeLifetime(this IServiceCollection services)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(NotifySocketVariable)))
        {
            services.AddSingleton<IHostLifetime, ConsoleLifetime>();
            services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
            return services;
        }
        services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
        services.AddSingleton<IHostLifetime, SystemdLifetime>();
        services.AddHostedService<SystemdWatchdog>();
        return services;
    }
}
