using System.Collections.Immutable;

namespace IoTSync.Device;

/// <summary>
/// Mode <c>ip</c>: <c>ip link set dev IFACE up|down</c>; usable once a route through it is up
/// (the kernel's connected route: link up with carrier and an address). <paramref name="prefix"/> runs every command inside
/// something else (the tests use <c>ip netns exec NS</c>). With <paramref name="neighbourRetransmit"/>, the
/// first <see cref="Up"/> sets how soon the kernel repeats an unanswered ARP request on the interface:
/// the first one after the link comes up is sometimes lost, and the default second until the next
/// outlasts a window, with the heartbeat waiting unsent behind it.
/// </summary>
public sealed class IpLinkInterface(string interfaceName, ImmutableArray<string> prefix = default, TimeSpan? neighbourRetransmit = null) : INetworkInterface
{
    private readonly ImmutableArray<string> _prefix = prefix.IsDefault ? [] : prefix;
    private bool _neighbourRetransmitSet = neighbourRetransmit is null;

    public async Task Up(CancellationToken cancellationToken)
    {
        if (!_neighbourRetransmitSet)
        {
            var milliseconds = ((long)neighbourRetransmit!.Value.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Ip(cancellationToken, "ntable", "change", "name", "arp_cache", "dev", interfaceName, "retrans", milliseconds);
            _neighbourRetransmitSet = true;
        }
        await Ip(cancellationToken, "link", "set", "dev", interfaceName, "up");
    }

    public Task Down(CancellationToken cancellationToken) => Ip(cancellationToken, "link", "set", "dev", interfaceName, "down");

    public async Task<bool> IsUsable(CancellationToken cancellationToken)
    {
        // One process, not three (link, address, route: ~10 ms each on a small device): the kernel
        // keeps a connected route only while the link is up with an address on it, and marks it
        // "linkdown" while there is no carrier.
        var route = await InterfaceCommands.Output([.. _prefix, "ip", "-o", "route", "show", "dev", interfaceName], cancellationToken);
        return route.Trim().Length > 0 && !route.Contains("linkdown", StringComparison.Ordinal);
    }

    private Task Ip(CancellationToken cancellationToken, params string[] arguments) =>
        InterfaceCommands.Run([.. _prefix, "ip", .. arguments], cancellationToken);
}
