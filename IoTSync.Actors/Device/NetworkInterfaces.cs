using System.Collections.Immutable;
using IoTSync.Processes;

namespace IoTSync.Device;

/// <summary>The device's network interface as the cycle drives it.</summary>
public interface INetworkInterface
{
    Task Up(CancellationToken cancellationToken);

    Task Down(CancellationToken cancellationToken);

    /// <summary>The interface can carry the heartbeat now (for <c>ip</c>: link up, an address and a route).</summary>
    Task<bool> IsUsable(CancellationToken cancellationToken);
}

/// <summary>Mode <c>none</c>: the interface stays as it is (development and the demo).</summary>
public sealed class AlwaysUpInterface : INetworkInterface
{
    public Task Up(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task Down(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> IsUsable(CancellationToken cancellationToken) => Task.FromResult(true);
}

/// <summary>
/// Mode <c>ip</c>: <c>ip link set dev IFACE up|down</c>; usable once a route through it is up
/// (the kernel's connected route: link up with carrier and an address). <paramref name="prefix"/> runs every command inside
/// something else (the tests use <c>ip netns exec NS</c>).
/// </summary>
public sealed class IpLinkInterface(string interfaceName, ImmutableArray<string> prefix = default) : INetworkInterface
{
    private readonly ImmutableArray<string> _prefix = prefix.IsDefault ? [] : prefix;

    public Task Up(CancellationToken cancellationToken) => Ip(cancellationToken, "link", "set", "dev", interfaceName, "up");

    public Task Down(CancellationToken cancellationToken) => Ip(cancellationToken, "link", "set", "dev", interfaceName, "down");

    public async Task<bool> IsUsable(CancellationToken cancellationToken)
    {
        // One process, not three (link, address, route: ~10 ms each on a small device): the kernel
        // keeps a connected route only while the link is up with an address on it, and marks it
        // "linkdown" while there is no carrier.
        var route = await CommandLine.Output([.. _prefix, "ip", "-o", "route", "show", "dev", interfaceName], cancellationToken);
        return route.Trim().Length > 0 && !route.Contains("linkdown", StringComparison.Ordinal);
    }

    private Task Ip(CancellationToken cancellationToken, params string[] arguments) =>
        CommandLine.Run([.. _prefix, "ip", .. arguments], cancellationToken);
}

/// <summary>Mode <c>command</c>: configured argument vectors (a modem's tool, say) for up, down and the usable probe.</summary>
public sealed class CommandInterface(ImmutableArray<string> up, ImmutableArray<string> down, ImmutableArray<string> probe) : INetworkInterface
{
    public Task Up(CancellationToken cancellationToken) => CommandLine.Run(up, cancellationToken);

    public Task Down(CancellationToken cancellationToken) => CommandLine.Run(down, cancellationToken);

    public async Task<bool> IsUsable(CancellationToken cancellationToken) =>
        probe.IsDefaultOrEmpty || await CommandLine.Succeeds(probe, cancellationToken);
}

/// <summary>Runs the toggler's own commands through <see cref="ChildProcess"/>: argument vectors, no shell, failures as exceptions.</summary>
internal static class CommandLine
{
    public static async Task Run(ImmutableArray<string> argv, CancellationToken cancellationToken)
    {
        var run = await Execute(argv, cancellationToken);
        if (run.ExitCode != 0)
            throw new IOException($"'{string.Join(' ', argv)}' exited {run.ExitCode}: {run.Output.Trim()}");
    }

    public static async Task<string> Output(ImmutableArray<string> argv, CancellationToken cancellationToken)
    {
        var run = await Execute(argv, cancellationToken);
        return run.ExitCode == 0 ? run.Output : "";
    }

    public static async Task<bool> Succeeds(ImmutableArray<string> argv, CancellationToken cancellationToken) =>
        (await Execute(argv, cancellationToken)).ExitCode == 0;

    private static async Task<ChildProcessResult> Execute(ImmutableArray<string> argv, CancellationToken cancellationToken)
    {
        var run = await ChildProcess.Run(argv, ChildProcessLimits.Unbounded, cancellationToken);
        // The toggler's commands have no timeout of their own: the cycle's cancellation is the only end, and it propagates.
        if (run.Ending != ChildProcessEnding.Exited)
            throw new OperationCanceledException(cancellationToken);
        return run;
    }
}
