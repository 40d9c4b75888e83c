using System.Collections.Immutable;
using IoTSync.Processes;

namespace IoTSync.Device.Firewall;

/// <summary>
/// nftables through the <c>nft</c> program (<c>nft -f -</c>, the commands on its standard input): a
/// process per call. Used where libnftables cannot be loaded, and by tests that act on another
/// namespace (<paramref name="prefix"/>, e.g. <c>ip netns exec NS</c>).
/// </summary>
public sealed class NftProcess(ImmutableArray<string> prefix = default) : INftables
{
    private readonly ImmutableArray<string> _prefix = prefix.IsDefault ? [] : prefix;

    public async Task Run(string commands, CancellationToken cancellationToken)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, commands, cancellationToken);
            var run = await ChildProcess.Run([.. _prefix, "nft", "-f", file], ChildProcessLimits.Unbounded, cancellationToken);
            if (run.Ending != ChildProcessEnding.Exited)
                throw new OperationCanceledException(cancellationToken);
            if (run.ExitCode != 0)
                throw new NftablesException($"nft exited {run.ExitCode}: {run.Output.Trim()}");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
