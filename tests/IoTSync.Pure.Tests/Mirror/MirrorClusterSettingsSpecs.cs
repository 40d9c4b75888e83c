using Akka.Configuration;
using IoTSync.Mirror.Cluster;
using Xunit;

namespace IoTSync.Tests.Mirror;

/// <summary><c>iotsync.mirror.cluster</c>: read as written, and refused with the key named when it cannot work.</summary>
public sealed class MirrorClusterSettingsSpecs
{
    private static Config Cluster(string section, string provider = "postgresql") => ConfigurationFactory.ParseString($$"""
        iotsync.persistence.provider = {{provider}}
        iotsync.mirror.cluster {
          mode = cluster
          hostname = "10.0.0.5"
          port = 4056
          seed-nodes = ["10.0.0.5:4056", "10.0.0.6:4056"]
          shards = 64
          passivate-idle-after = 90s
          down-unreachable-after = 7s
          {{section}}
        }
        """);

    [Fact]
    public void Should_read_a_cluster_node_as_written()
    {
        var settings = MirrorClusterSettings.FromConfig(Cluster(""));

        Assert.True(settings.IsCluster);
        Assert.Equal(("10.0.0.5", 4056), (settings.Hostname, settings.Port));
        Assert.Equal(new[] { ("10.0.0.5", 4056), ("10.0.0.6", 4056) }, settings.SeedNodes.ToArray());
        Assert.Equal(64, settings.Shards);
        Assert.Equal(TimeSpan.FromSeconds(90), settings.PassivateIdleAfter);
        Assert.Equal(TimeSpan.FromSeconds(7), settings.DownUnreachableAfter);
        var hocon = MirrorCluster.CoreHocon(settings, "iotsync-mirror", tls: true);
        Assert.Equal(["akka.ssl.tcp://iotsync-mirror@10.0.0.5:4056", "akka.ssl.tcp://iotsync-mirror@10.0.0.6:4056"], hocon.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal("cluster", hocon.GetString("akka.actor.provider"));
        Assert.False(hocon.GetBoolean("akka.remote.untrusted-mode"));
        Assert.True(hocon.GetBoolean("akka.remote.dot-netty.tcp.ssl.require-mutual-authentication"));
    }

    [Fact]
    public void Should_read_the_device_board_section_and_default_it_when_missing()
    {
        var written = MirrorClusterSettings.FromConfig(Cluster("board { keys = 16, flush-every = 50ms }"));

        Assert.Equal(new BoardSettings(16, TimeSpan.FromMilliseconds(50)), written.Board);
        Assert.Equal(BoardSettings.Default, MirrorClusterSettings.FromConfig(Cluster("")).Board);
        Assert.Contains("board.keys", Assert.Throws<ConfigurationException>(() => MirrorClusterSettings.FromConfig(Cluster("board { keys = 0, flush-every = 50ms }"))).Message);
        // A thousand devices spread over every key, each device always under the same one.
        var keys = Enumerable.Range(0, 1000).Select(i => BoardReplicator.KeyOf(new IoTSync.Model.DeviceId($"dev-{i}"), 16)).ToList();
        Assert.Equal(Enumerable.Range(0, 16), keys.Distinct().Order());
        Assert.Equal(keys, Enumerable.Range(0, 1000).Select(i => BoardReplicator.KeyOf(new IoTSync.Model.DeviceId($"dev-{i}"), 16)));
    }

    [Fact]
    public void Should_be_a_single_node_without_the_section_or_in_mode_single()
    {
        Assert.False(MirrorClusterSettings.FromConfig(ConfigurationFactory.Empty).IsCluster);
        Assert.False(MirrorClusterSettings.FromConfig(Cluster("mode = single", provider: "sqlite")).IsCluster);
    }

    [Theory]
    [InlineData("mode = cloud", "", "mode must be 'single' or 'cluster'")]
    [InlineData("seed-nodes = []", "", "seed-nodes is empty")]
    [InlineData("seed-nodes = [\"10.0.0.5\"]", "", "'10.0.0.5' is not HOST:PORT")]
    [InlineData("port = 0", "", "port is 0")]
    [InlineData("", "sqlite", "needs a journal every node reaches: set iotsync.persistence.provider = postgresql")]
    public void Should_refuse_a_cluster_that_cannot_work_naming_the_key(string section, string provider, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => MirrorClusterSettings.FromConfig(Cluster(section, provider.Length == 0 ? "postgresql" : provider)));

        Assert.Contains(expected, error.Message);
        Assert.Contains("iotsync.", error.Message);
    }
}
