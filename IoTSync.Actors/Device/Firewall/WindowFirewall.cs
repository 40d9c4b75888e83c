using System.Net;

namespace IoTSync.Device.Firewall;

/// <summary>
/// The device's window firewall in nftables (<see cref="WindowFirewallRules"/>): loaded once, before
/// anything else the node does, then opened for the mirror each window and closed after it.
/// </summary>
/// <param name="nftables">Where the commands run.</param>
/// <param name="rules">The table's text.</param>
/// <param name="mirror">The one address a window admits.</param>
/// <param name="windowLimit">The kernel's timeout on the mirror's admission.</param>
/// <param name="linger">How long the mirror's established connections may finish after a window closed (<see cref="WindowFirewallRules.Close"/>).</param>
public sealed class WindowFirewall(INftables nftables, WindowFirewallRules rules, IPAddress mirror, TimeSpan windowLimit, TimeSpan linger)
{
    public WindowFirewallRules Rules => rules;

    public IPAddress Mirror => mirror;

    /// <summary>Replaces the table with a closed one: nothing passes on the interface from here on.</summary>
    public Task Load(CancellationToken cancellationToken) => nftables.Run(rules.Load(), cancellationToken);

    /// <summary>Admits the mirror until the window limit; the kernel closes it then even if the node cannot.</summary>
    public Task Open(CancellationToken cancellationToken) => nftables.Run(rules.Open(mirror, windowLimit), cancellationToken);

    public Task Close(CancellationToken cancellationToken) => nftables.Run(rules.Close(mirror, linger), cancellationToken);
}
