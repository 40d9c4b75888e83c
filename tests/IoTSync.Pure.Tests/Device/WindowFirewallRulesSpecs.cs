using System.Net;
using Akka.Configuration;
using IoTSync.Device;
using IoTSync.Device.Firewall;
using Xunit;

namespace IoTSync.Tests.Device;

/// <summary>The nftables text of the window firewall and the settings that choose it, without nftables.</summary>
public sealed class WindowFirewallRulesSpecs
{
    private static readonly WindowFirewallRules Rules = WindowFirewallRules.For("iotsync", "eth0");
    private static readonly IPAddress Mirror = IPAddress.Parse("10.231.87.1");

    [Fact]
    public void Should_drop_everything_on_the_interface_except_the_window_set_both_ways()
    {
        var load = Rules.Load();

        Assert.StartsWith("add table inet iotsync\ndelete table inet iotsync\ntable inet iotsync {", load.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("flags timeout", load, StringComparison.Ordinal);
        Assert.Contains("iifname \"eth0\" ip saddr @window accept", load, StringComparison.Ordinal);
        Assert.Contains("iifname \"eth0\" drop", load, StringComparison.Ordinal);
        Assert.Contains("oifname \"eth0\" ip daddr @window accept", load, StringComparison.Ordinal);
        Assert.Contains("oifname \"eth0\" drop", load, StringComparison.Ordinal);
        // After a window, only connections already established may finish.
        Assert.Contains("iifname \"eth0\" ct state established ip saddr @linger accept", load, StringComparison.Ordinal);
        Assert.Contains("oifname \"eth0\" ct state established ip daddr @linger accept", load, StringComparison.Ordinal);
        // The accept comes before the drop in each chain.
        Assert.True(load.IndexOf("ip saddr @window accept", StringComparison.Ordinal) < load.IndexOf("iifname \"eth0\" drop", StringComparison.Ordinal));
        Assert.True(load.IndexOf("ip daddr @window accept", StringComparison.Ordinal) < load.IndexOf("oifname \"eth0\" drop", StringComparison.Ordinal));
        // nftables 1.0.6: a closing brace starts its own line.
        Assert.All(load.ReplaceLineEndings("\n").Split('\n').Where(line => line.Contains('}')), line => Assert.Equal("}", line.Trim()));
    }

    [Fact]
    public void Should_admit_the_mirror_with_a_timeout_of_the_window_limit_and_close_it_whether_or_not_it_expired_with_a_short_linger()
    {
        Assert.Equal("add element inet iotsync window { 10.231.87.1 timeout 1800ms }\n", Rules.Open(Mirror, TimeSpan.FromMilliseconds(1800)));
        Assert.Equal("add element inet iotsync window { 10.231.87.1 timeout 2ms }\n", Rules.Open(Mirror, TimeSpan.FromMilliseconds(1.2)));
        Assert.Equal("add element inet iotsync window { 10.231.87.1 timeout 1s }\ndelete element inet iotsync window { 10.231.87.1 }\n", Rules.Close(Mirror, TimeSpan.Zero));
        Assert.Equal("add element inet iotsync window { 10.231.87.1 timeout 1s }\ndelete element inet iotsync window { 10.231.87.1 }\n"
                     + "add element inet iotsync linger { 10.231.87.1 timeout 500ms }\n", Rules.Close(Mirror, TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public void Should_admit_and_close_every_mirror_of_a_fleet_in_one_transaction()
    {
        IPAddress[] fleet = [Mirror, IPAddress.Parse("10.231.87.2")];

        Assert.Equal("add element inet iotsync window { 10.231.87.1 timeout 1800ms, 10.231.87.2 timeout 1800ms }\n", Rules.Open(fleet, TimeSpan.FromMilliseconds(1800)));
        Assert.Equal("add element inet iotsync window { 10.231.87.1 timeout 1s, 10.231.87.2 timeout 1s }\ndelete element inet iotsync window { 10.231.87.1, 10.231.87.2 }\n"
                     + "add element inet iotsync linger { 10.231.87.1 timeout 500ms, 10.231.87.2 timeout 500ms }\n", Rules.Close(fleet, TimeSpan.FromMilliseconds(500)));
        Assert.Throws<ArgumentException>(() => Rules.Open([], TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentException>(() => Rules.Open([Mirror, IPAddress.IPv6Loopback], TimeSpan.FromSeconds(1)));
    }

    [Theory]
    [InlineData("iotsync", "eth0\" accept")]
    [InlineData("iotsync", "eth0 }")]
    [InlineData("iotsync", "")]
    [InlineData("iotsync", "a-name-too-long-x")]
    [InlineData("iot sync", "eth0")]
    [InlineData("1table", "eth0")]
    [InlineData("", "eth0")]
    public void Should_refuse_a_name_that_could_change_the_rules(string table, string interfaceName) =>
        Assert.Throws<ArgumentException>(() => WindowFirewallRules.For(table, interfaceName));

    [Fact]
    public void Should_refuse_an_ipv6_peer_and_a_zero_limit()
    {
        Assert.Throws<ArgumentException>(() => Rules.Open(IPAddress.IPv6Loopback, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Rules.Open(Mirror, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("none", "on", false)]
    [InlineData("ip", "on", true)]
    [InlineData("ip", "off", false)]
    [InlineData("nft", "off", true)]
    [InlineData("nft", "on", true)]
    public void Should_use_the_firewall_in_mode_nft_and_as_the_backstop_under_ip_unless_off(string mode, string firewall, bool used)
    {
        var settings = DeviceNodeSettings.FromConfig(Config(mode, firewall, "10.231.87.1:4053"));

        Assert.Equal(used, settings.UsesFirewall);
    }

    [Fact]
    public void Should_refuse_the_firewall_without_an_ipv4_mirror_address()
    {
        var refused = Assert.Throws<ConfigurationException>(() => DeviceNodeSettings.FromConfig(Config("nft", "on", "mirror.example:4053")));

        Assert.Contains("IPv4", refused.Message, StringComparison.Ordinal);
        Assert.False(DeviceNodeSettings.FromConfig(Config("ip", "off", "mirror.example:4053")).UsesFirewall);
    }

    private static Config Config(string mode, string firewall, string mirror) =>
        ConfigurationFactory.ParseString($$"""
            iotsync.device {
              mirror.address = "{{mirror}}"
              network { mode = {{mode}}, interface = "eth0", firewall = {{firewall}} }
            }
            """).WithFallback(IoTSyncSystem.LoadNodeConfig(Path.Combine(AppContext.BaseDirectory, "hocon", "device.hocon")));
}
