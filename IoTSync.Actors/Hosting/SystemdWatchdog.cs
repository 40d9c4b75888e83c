using System.Globalization;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace IoTSync.Hosting;

/// <summary>
/// Feeds systemd's watchdog (<c>WatchdogSec=</c>) with <c>WATCHDOG=1</c> at half its interval, but only
/// after the actor system answered a ping (an <see cref="Identify"/> to the user guardian) within that
/// half: a node whose actors no longer run stops feeding it, and systemd kills and restarts it. Does
/// nothing when the service manager asked for no watchdog (no <c>WATCHDOG_USEC</c>, or one meant for another process).
/// </summary>
public sealed class SystemdWatchdog(IServiceProvider services, IHostApplicationLifetime lifetime, ISystemdNotifier notifier, ILogger<SystemdWatchdog> log) : BackgroundService
{
    /// <summary>The watchdog's interval in microseconds, as systemd passes it.</summary>
    public const string IntervalVariable = "WATCHDOG_USEC";

    /// <summary>The process the watchdog is meant for, when systemd names one.</summary>
    public const string PidVariable = "WATCHDOG_PID";

    /// <summary>Half the interval systemd asked for, or null when there is no watchdog for this process.</summary>
    public static TimeSpan? FeedEvery(string? usec, string? pid, int processId)
    {
        if (!long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var micros) || micros <= 0)
            return null;
        if (!string.IsNullOrEmpty(pid) && pid != processId.ToString(CultureInfo.InvariantCulture))
            return null;
        return TimeSpan.FromTicks(micros * 10 / 2);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (FeedEvery(Environment.GetEnvironmentVariable(IntervalVariable), Environment.GetEnvironmentVariable(PidVariable), Environment.ProcessId) is not { } every)
            return;
        // The actor system exists once the host has started (Akka.Hosting makes it in its own hosted service):
        // asked for earlier, it would wait for a start that waits for this service.
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        var system = services.GetRequiredService<ActorSystem>();
        using var timer = new PeriodicTimer(every);
        do
        {
            try
            {
                await system.ActorSelection("/user").Ask<ActorIdentity>(new Identify("watchdog"), every, stoppingToken);
                notifier.Notify(new ServiceState("WATCHDOG=1"));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                // Not fed: if the actors stay silent for the whole interval, systemd restarts the node.
                log.LogWarning("the actor system did not answer the watchdog's ping within {Every} ms", (long)every.TotalMilliseconds);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
