using System.Text;
using Microsoft.Extensions.Hosting;

namespace IoTSync.Hosting;

/// <summary>Starting a node's host.</summary>
public static class NodeHost
{
    /// <summary>
    /// Starts <paramref name="host"/>; when a part fails to start (the control socket already taken, a
    /// journal that fails its recovery check or does not recover in time), stops what did start — the
    /// actor system among it — before the error goes up to the command line, so the process can end.
    /// </summary>
    public static async Task Start(IHost host, CancellationToken cancellationToken)
    {
        var stdout = Console.Out;
        // Akka.Hosting writes a failed start with its stack trace straight to the console, besides its
        // (filtered) log line; the command line reports the failure in one line on stderr instead.
        Console.SetOut(new StartFailureFilter(stdout));
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
        finally
        {
            Console.SetOut(stdout);
        }
    }

    /// <summary>Passes everything on except Akka.Hosting's dump of a failed start.</summary>
    private sealed class StartFailureFilter(TextWriter inner) : TextWriter
    {
        private const string Dump = "Unable to start AkkaHostedService";

        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value) => inner.Write(value);

        public override void Write(string? value)
        {
            if (value?.StartsWith(Dump, StringComparison.Ordinal) != true)
                inner.Write(value);
        }

        public override void WriteLine(string? value)
        {
            if (value?.StartsWith(Dump, StringComparison.Ordinal) != true)
                inner.WriteLine(value);
        }

        public override void Write(char[] buffer, int index, int count) => inner.Write(buffer, index, count);

        public override void Flush() => inner.Flush();
    }
}
