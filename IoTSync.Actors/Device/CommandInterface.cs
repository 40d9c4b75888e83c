using System.Collections.Immutable;

namespace IoTSync.Device;

/// <summary>Mode <c>command</c>: configured argument vectors (a modem's tool, say) for up, down and the usable probe.</summary>
public sealed class CommandInterface(ImmutableArray<string> up, ImmutableArray<string> down, ImmutableArray<string> probe) : INetworkInterface
{
    public Task Up(CancellationToken cancellationToken) => InterfaceCommands.Run(up, cancellationToken);

    public Task Down(CancellationToken cancellationToken) => InterfaceCommands.Run(down, cancellationToken);

    public async Task<bool> IsUsable(CancellationToken cancellationToken) =>
        probe.IsDefaultOrEmpty || await InterfaceCommands.Succeeds(probe, cancellationToken);
}
