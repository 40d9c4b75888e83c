using System.Net;

namespace IoTSync.Device.Firewall;

/// <summary>
/// The device's window firewall in nftables (<see cref="WindowFirewallRules"/>): loaded once, before
/// anything else the node does, then opened for the mirrors each window and closed after it.
/// </summary>
/// <param name="nftables">Where the commands run.</param>
/// <param name="rules">The table's text.</param>
/// <param name="mirrors">The addresses a window admits: every mirror node the device lists, one or more.</param>
/// <param name="windowLimit">The kernel's timeout on the mirrors' admission.</param>
/// <param name="linger">How long the mirrors' established connections may finish after a window closed (<see cref="WindowFirewallRules.Close(IReadOnlyList{IPAddress}, TimeSpan)"/>).</param>
public sealed class WindowFirewall(INftables nftables, WindowFirewallRules rules, IReadOnlyList<IPAddress> mirrors, TimeSpan windowLimit, TimeSpan linger)
{
    /// <summary>A window firewall for one mirror.</summary>
    public WindowFirewall(INftables nftables, WindowFirewallRules rules, IPAddress mirror, TimeSpan windowLimit, TimeSpan linger)
        : this(nftables, rules, [mirror], windowLimit, linger)
    {
    }

    public WindowFirewallRules Rules => rules;

    /// <summary>The first mirror admitted.</summary>
    public IPAddress Mirror => mirrors[0];

    /// <summary>Every mirror admitted.</summary>
    public IReadOnlyList<IPAddress> Mirrors => mirrors;

    /// <summary>Replaces the table with a closed one: nothing passes on the interface from here on.</summary>
    public Task Load(CancellationToken cancellationToken) => nftables.Run(rules.Load(), cancellationToken);

    /// <summary>Admits the mirrors until the window limit; the kernel closes it then even if the node cannot.</summary>
    public Task Open(CancellationToken cancellationToken) => nftables.Run(rules.Open(mirrors, windowLimit), cancellationToken);

    public Task Close(CancellationToken cancellationToken) => nftables.Run(rules.Close(mirrors, linger), cancellationToken);
}
