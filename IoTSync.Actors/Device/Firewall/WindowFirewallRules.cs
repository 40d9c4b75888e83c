using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace IoTSync.Device.Firewall;

/// <summary>
/// The nftables text of the device's window firewall, pure: a table that drops everything in and
/// out of the device's interface except traffic to and from the addresses in its set, whose
/// elements time out in the kernel. A window adds the mirror's address with a timeout equal to the
/// window limit (<see cref="Open(IPAddress, TimeSpan)"/>) and removes it when the window closes (<see cref="Close(IPAddress, TimeSpan)"/>); a
/// node that dies or freezes mid-window leaves an element that the kernel removes at the limit.
/// Input is dropped before the TCP stack sees it, so a stranger gets neither a SYN-ACK nor a reset.
/// A closed window lingers briefly for the mirror's connections already open (<see cref="LingerSetName"/>,
/// established traffic only): the device closes the window as soon as its end of the session is
/// done, and sshd's last packets (the command's exit status, the channel close) must still reach
/// the mirror, or the mirror waits for them until its close timeout and misses the next window.
/// </summary>
public sealed partial record WindowFirewallRules
{
    /// <summary>The set of the addresses a window admits.</summary>
    public const string SetName = "window";

    /// <summary>The set of the addresses whose established connections may finish after a window closed.</summary>
    public const string LingerSetName = "linger";

    private WindowFirewallRules(string table, string interfaceName) => (Table, Interface) = (table, interfaceName);

    /// <summary>The nftables table (family <c>inet</c>): the node's own, replaced whole at start.</summary>
    public string Table { get; }

    /// <summary>The interface the table closes.</summary>
    public string Interface { get; }

    /// <summary>
    /// Rules for <paramref name="interfaceName"/> in table <paramref name="table"/>; both are checked
    /// here, since they are written into nftables text (no quote, no space, no brace can get in).
    /// </summary>
    public static WindowFirewallRules For(string table, string interfaceName)
    {
        if (!TableName().IsMatch(table))
            throw new ArgumentException($"'{table}' is not an nftables table name (1-32 of a-z, A-Z, 0-9, '_', starting with a letter)", nameof(table));
        // IFNAMSIZ is 16 with the terminating zero.
        if (!InterfaceName().IsMatch(interfaceName))
            throw new ArgumentException($"'{interfaceName}' is not an interface name (1-15 of a-z, A-Z, 0-9, '_', '.', '-')", nameof(interfaceName));
        return new WindowFirewallRules(table, interfaceName);
    }

    /// <summary>
    /// The whole table, loaded at start before anything else: an existing table of that name is
    /// deleted in the same transaction (add, delete, define), so the load is atomic and repeatable.
    /// In nftables 1.0.6 a closing brace must start its own line.
    /// </summary>
    public string Load() => $$"""
        add table inet {{Table}}
        delete table inet {{Table}}
        table inet {{Table}} {
          set {{SetName}} {
            type ipv4_addr
            flags timeout
          }
          set {{LingerSetName}} {
            type ipv4_addr
            flags timeout
          }
          chain in {
            type filter hook input priority 0; policy accept;
            iifname "{{Interface}}" ip saddr @{{SetName}} accept
            iifname "{{Interface}}" ct state established ip saddr @{{LingerSetName}} accept
            iifname "{{Interface}}" drop
          }
          chain out {
            type filter hook output priority 0; policy accept;
            oifname "{{Interface}}" ip daddr @{{SetName}} accept
            oifname "{{Interface}}" ct state established ip daddr @{{LingerSetName}} accept
            oifname "{{Interface}}" drop
          }
        }

        """;

    /// <summary>Admits <paramref name="peer"/> for <paramref name="limit"/>, after which the kernel drops it by itself (re-adding refreshes the timeout).</summary>
    public string Open(IPAddress peer, TimeSpan limit) => Open([peer], limit);

    /// <summary>Admits each of <paramref name="peers"/> (a fleet's mirror nodes) as <see cref="Open(IPAddress, TimeSpan)"/> does one, in one transaction.</summary>
    public string Open(IReadOnlyList<IPAddress> peers, TimeSpan limit) =>
        $"add element inet {Table} {SetName} {{ {string.Join(", ", Peers(peers).Select(peer => $"{peer} timeout {Milliseconds(limit)}ms"))} }}\n";

    /// <summary>
    /// Removes <paramref name="peer"/> from the window, and lets its established connections finish
    /// for <paramref name="linger"/> (no new connection), in one transaction. Adding the window element
    /// first (with a short timeout) makes the delete succeed whether or not it is still there — it may
    /// have timed out. A zero <paramref name="linger"/> cuts everything at once.
    /// </summary>
    public string Close(IPAddress peer, TimeSpan linger) => Close([peer], linger);

    /// <summary>Closes the window for each of <paramref name="peers"/> as <see cref="Close(IPAddress, TimeSpan)"/> does for one, in one transaction.</summary>
    public string Close(IReadOnlyList<IPAddress> peers, TimeSpan linger)
    {
        var all = Peers(peers);
        string Elements(string suffix) => string.Join(", ", all.Select(peer => peer + suffix));
        return $"add element inet {Table} {SetName} {{ {Elements(" timeout 1s")} }}\ndelete element inet {Table} {SetName} {{ {Elements("")} }}\n" +
               (linger > TimeSpan.Zero ? $"add element inet {Table} {LingerSetName} {{ {Elements($" timeout {Milliseconds(linger)}ms")} }}\n" : "");
    }

    /// <summary>Removes the table (not used by the node, which keeps it while it lives and after).</summary>
    public string Remove() => $"add table inet {Table}\ndelete table inet {Table}\n";

    private static string[] Peers(IReadOnlyList<IPAddress> peers) =>
        peers.Count > 0 ? [.. peers.Select(Ipv4).Distinct(StringComparer.Ordinal)] : throw new ArgumentException("the window firewall admits at least one address", nameof(peers));

    private static string Ipv4(IPAddress peer) =>
        peer.AddressFamily == AddressFamily.InterNetwork
            ? peer.ToString()
            : throw new ArgumentException($"the window firewall admits IPv4 addresses only, not {peer}", nameof(peer));

    private static string Milliseconds(TimeSpan limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, TimeSpan.FromMilliseconds(1));
        return ((long)Math.Ceiling(limit.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,31}$")]
    private static partial Regex TableName();

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]{1,15}$")]
    private static partial Regex InterfaceName();
}
