using Microsoft.Extensions.Hosting;

namespace IoTSync.Hosting;

/// <summary>Starting a node's host.</summary>
public static class NodeHost
{
    /// <summary>
    /// Starts <paramref name="host"/>; when a part fails to start (the control socket already taken, a
    /// journal that does not recover in time), stops what did start — the actor system among it — before
    /// the error goes up to the command line, so the process can end.
    /// </summary>
    public static async Task Start(IHost host, CancellationToken cancellationToken)
    {
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await host.StopAsync(bounded.Token);
            }
            catch (Exception)
            {
                // The start's error is the one to report; a host that failed early may not stop cleanly.
            }
            throw;
        }
    }
}
