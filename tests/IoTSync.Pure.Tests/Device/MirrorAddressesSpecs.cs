using System.Net;
using Akka.Configuration;
using IoTSync.Device;
using Xunit;

namespace IoTSync.Tests.Device;

/// <summary>
/// The mirror addresses a device's configuration lists: <c>addresses</c> (a fleet's nodes) or the single
/// <c>address</c> of configurations from before fleets, never both; each as the heartbeat sender and the
/// window firewall take it.
/// </summary>
public sealed class MirrorAddressesSpecs
{
    private static Config Config(string mirror, string network = "") =>
        ConfigurationFactory.ParseString($"iotsync.device {{ mirror {{ {mirror} }}\n network {{ {network} }} }}")
            .WithFallback(IoTSyncSystem.LoadNodeConfig(Path.Combine(AppContext.BaseDirectory, "hocon", "device.hocon")));

    [Fact]
    public void Should_take_the_shipped_single_address_as_a_list_of_one()
    {
        var settings = DeviceNodeSettings.FromConfig(Config(""));

        Assert.Equal<string>(["127.0.0.1:4053"], settings.MirrorAddresses);
        Assert.Equal<string>(["akka.ssl.tcp://iotsync-mirror@127.0.0.1:4053/user/heartbeat"], settings.MirrorListenerPaths);
        Assert.Equal(settings.MirrorListenerPaths[0], settings.MirrorListenerPath);
    }

    [Fact]
    public void Should_read_a_configuration_from_before_fleets_that_has_no_addresses_key()
    {
        var old = ConfigurationFactory.ParseString("""iotsync.device.mirror { system-name = "iotsync-mirror", address = "10.0.0.1:4053" }""");

        Assert.Equal<string>(["10.0.0.1:4053"], DeviceNodeSettings.MirrorAddressesFrom(old));
    }

    [Fact]
    public void Should_list_every_mirror_in_order_with_one_system_name()
    {
        var settings = DeviceNodeSettings.FromConfig(Config("""addresses = ["10.0.0.2:4053", "10.0.0.1:4053"], address = "" """));

        Assert.Equal<string>(["10.0.0.2:4053", "10.0.0.1:4053"], settings.MirrorAddresses);
        Assert.Equal<string>(["akka.ssl.tcp://iotsync-mirror@10.0.0.2:4053/user/heartbeat", "akka.ssl.tcp://iotsync-mirror@10.0.0.1:4053/user/heartbeat"],
            settings.MirrorListenerPaths);
        Assert.Equal<IPAddress>([IPAddress.Parse("10.0.0.2"), IPAddress.Parse("10.0.0.1")], settings.MirrorIps);
    }

    [Fact]
    public void Should_refuse_both_keys_at_once_naming_both()
    {
        var refused = Assert.Throws<ConfigurationException>(() => DeviceNodeSettings.FromConfig(Config("""addresses = ["10.0.0.2:4053"], address = "10.0.0.1:4053" """)));

        Assert.Contains("iotsync.device.mirror.address and iotsync.device.mirror.addresses are both set", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""addresses = ["10.0.0.1:4053", "mirror-b"], address = "" """, "iotsync.device.mirror.addresses: 'mirror-b' is not HOST:PORT")]
    [InlineData("""addresses = ["10.0.0.1:4053", "10.0.0.1:4053"], address = "" """, "iotsync.device.mirror.addresses: '10.0.0.1:4053' is listed twice")]
    [InlineData("""address = "mirror-a" """, "iotsync.device.mirror.address: 'mirror-a' is not HOST:PORT")]
    [InlineData("""addresses = [], address = "" """, "iotsync.device.mirror.address must be set (not empty)")]
    [InlineData("""addresses = "10.0.0.1:4053", address = "" """, "iotsync.device.mirror.addresses must be a list of \"HOST:PORT\" strings")]
    public void Should_refuse_an_address_that_is_not_host_port_listed_twice_or_missing(string mirror, string message)
    {
        var refused = Assert.Throws<ConfigurationException>(() => DeviceNodeSettings.FromConfig(Config(mirror)));

        Assert.Equal(message, refused.Message);
    }

    [Fact]
    public void Should_warn_of_each_mirror_named_rather_than_addressed()
    {
        var settings = DeviceNodeSettings.FromConfig(Config("""addresses = ["127.0.0.1:4053", "mirror-b.example:4053"], address = "" """));

        Assert.StartsWith("mirror address mirror-b.example:4053 is a name", settings.MirrorNameWarning);
        Assert.Null(DeviceNodeSettings.FromConfig(Config("")).MirrorNameWarning);
    }

    [Fact]
    public void Should_have_the_firewall_admit_every_mirror_and_refuse_one_without_an_ipv4_address()
    {
        const string nft = """mode = nft, interface = "eth0" """;
        var both = DeviceNodeSettings.FromConfig(Config("""addresses = ["10.0.0.1:4053", "10.0.0.2:4053"], address = "" """, nft));
        var named = Assert.Throws<ConfigurationException>(() =>
            DeviceNodeSettings.FromConfig(Config("""addresses = ["10.0.0.1:4053", "mirror-b.example:4053"], address = "" """, nft)));

        Assert.Equal<IPAddress>([IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2")], both.MirrorIps);
        Assert.Equal("iotsync.device.mirror.addresses: the window firewall admits each mirror by its IPv4 address; 'mirror-b.example:4053' does not give one", named.Message);
    }
}
