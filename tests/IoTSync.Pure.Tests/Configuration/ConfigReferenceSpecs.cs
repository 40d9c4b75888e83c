using Akka.Configuration;
using IoTSync.Configuration;
using Xunit;

namespace IoTSync.Tests.Configuration;

/// <summary>
/// Keys under <c>iotsync</c> that the shipped files do not have are refused at load with their name and
/// file (<see cref="ConfigReference"/>), on both nodes and in both files a node reads.
/// </summary>
public sealed class ConfigReferenceSpecs : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotsync-config-").FullName;

    private static string Shipped(string name) => Path.Combine(AppContext.BaseDirectory, "hocon", name);

    [Theory]
    [InlineData("device.hocon")]
    [InlineData("mirror.hocon")]
    public void Should_know_every_key_of_the_shipped_files(string file)
    {
        var reference = ConfigReference.ForShippedFile(file);

        Assert.Empty(reference.UnknownKeys(ConfigurationFactory.ParseString(File.ReadAllText(Shipped(file)))));
        Assert.Empty(reference.UnknownKeys(ConfigurationFactory.ParseString(File.ReadAllText(Shipped("shared.hocon")))));
        IoTSyncSystem.LoadNodeConfig(Shipped(file), reference);
    }

    [Theory]
    [InlineData("mirror.hocon", "iotsync.mirror.contrl-socket = \"run/x.sock\"", "iotsync.mirror.contrl-socket")]
    [InlineData("mirror.hocon", "iotsync.mirror { ssh { conect-timeout = 10s } }", "iotsync.mirror.ssh.conect-timeout")]
    [InlineData("device.hocon", "iotsync.device.cycle.perod = 5s", "iotsync.device.cycle.perod")]
    [InlineData("device.hocon", "iotsync.persistance.database-path = \"x.db\"", "iotsync.persistance")]
    // The other node's keys are not this node's.
    [InlineData("device.hocon", "iotsync.mirror.max-open-commands = 5", "iotsync.mirror")]
    [InlineData("mirror.hocon", "iotsync.device.id = \"d1\"", "iotsync.device")]
    public void Should_refuse_an_unknown_key_with_its_name_and_file(string node, string line, string key)
    {
        var file = Write(node, File.ReadAllText(Shipped(node)) + "\n" + line + "\n");

        var error = Assert.Throws<ConfigurationException>(() => IoTSyncSystem.LoadNodeConfig(file, ConfigReference.ForShippedFile(node)));

        Assert.Equal($"unknown configuration key {key} in {file}", error.Message);
    }

    [Fact]
    public void Should_refuse_an_unknown_key_in_the_shared_file_beside_it()
    {
        var file = Write("device.hocon", File.ReadAllText(Shipped("device.hocon")));
        var shared = Write("shared.hocon", File.ReadAllText(Shipped("shared.hocon")) + "\niotsync.exchange.max-batch-entires = 10\n");

        var error = Assert.Throws<ConfigurationException>(() => IoTSyncSystem.LoadNodeConfig(file, ConfigReference.Device));

        Assert.Equal($"unknown configuration key iotsync.exchange.max-batch-entires in {shared}", error.Message);
    }

    [Fact]
    public void Should_name_every_unknown_key_at_once_and_leave_akkas_keys_alone()
    {
        var file = Write("mirror.hocon", "akka.remote.dot-netty.tcp.anything = 1\niotsync { tsl.enabled = off, mirror.late-check-evry = 1s }\n");

        var error = Assert.Throws<ConfigurationException>(() => IoTSyncSystem.LoadNodeConfig(file, ConfigReference.Mirror));

        Assert.Equal($"unknown configuration keys iotsync.tsl, iotsync.mirror.late-check-evry in {file}", error.Message);
    }

    [Fact]
    public void Should_take_any_key_of_a_map_and_any_value_of_a_value_key()
    {
        var reference = ConfigReference.FromText("""
            # A map by design: its keys are the user's.
            iotsync.alerts.headers {}
            # A list of objects.
            iotsync.alerts.webhooks = []
            iotsync.alerts.enabled = on
            """);
        var config = ConfigurationFactory.ParseString("""
            iotsync.alerts {
              headers { X-Anything = "1", nested { deep = 2 } }
              webhooks = [{ url = "http://127.0.0.1:1/", secret-file = "s" }]
              enabled { odd = 1 }
              enabeld = off
            }
            """);

        Assert.Equal(["iotsync.alerts.enabeld"], reference.UnknownKeys(config));
    }

    [Fact]
    public void Should_pick_the_reference_by_the_shipped_file_name()
    {
        Assert.Same(ConfigReference.Device, ConfigReference.ForShippedFile("/opt/iotsync/hocon/device.hocon"));
        Assert.Same(ConfigReference.Mirror, ConfigReference.ForShippedFile("mirror.hocon"));
        Assert.Same(ConfigReference.AnyNode, ConfigReference.ForShippedFile("other.hocon"));
        Assert.Empty(ConfigReference.AnyNode.UnknownKeys(ConfigurationFactory.ParseString("iotsync { device.id = \"d\", mirror.window-limit = 1s }")));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        if (!File.Exists(Path.Combine(_directory, "shared.hocon")))
            File.Copy(Shipped("shared.hocon"), Path.Combine(_directory, "shared.hocon"));
        return path;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
