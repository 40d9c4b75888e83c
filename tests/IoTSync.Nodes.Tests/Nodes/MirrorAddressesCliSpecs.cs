using IoTSync.Configuration;
using IoTSync.Device;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// A fleet's mirror addresses through the device's own commands: <c>init</c> writes every <c>--mirror</c>
/// as the list the node reads, and a configuration that sets both <c>address</c> and <c>addresses</c> is
/// refused in one line naming both.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MirrorAddressesCliSpecs : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotsync-fleet-cli-").FullName;

    [Fact]
    public async Task Should_write_every_mirror_given_to_init_in_order_as_the_list_the_node_reads()
    {
        var init = await NodeCliRunner.RunDevice("init", "--id", "d1", "--mirror", "10.0.0.2:4053", "--mirror", "10.0.0.1:4053", "--dir", _directory);

        Assert.True(init.ExitCode == 0, init.ToString());
        var config = IoTSyncSystem.LoadNodeConfig(Path.Combine(_directory, "device.hocon"), ConfigReference.Device);
        Assert.Equal<string>(["10.0.0.2:4053", "10.0.0.1:4053"], DeviceNodeSettings.FromConfig(config).MirrorAddresses);
    }

    [Fact]
    public async Task Should_refuse_in_one_line_a_configuration_with_both_address_and_addresses()
    {
        var init = await NodeCliRunner.RunDevice("init", "--id", "d1", "--mirror", "10.0.0.1:4053", "--dir", _directory);
        Assert.True(init.ExitCode == 0, init.ToString());
        var config = Path.Combine(_directory, "device.hocon");
        await File.AppendAllTextAsync(config, "\n# A second mirror added without unsetting the single address.\niotsync.device.mirror.addresses = [\"10.0.0.1:4053\", \"10.0.0.2:4053\"]\n");

        var status = await NodeCliRunner.RunDevice("status", "--config", config);

        Assert.Equal(2, status.ExitCode);
        Assert.StartsWith("iotsync-device: iotsync.device.mirror.address and iotsync.device.mirror.addresses are both set", status.Stderr, StringComparison.Ordinal);
        Assert.Single(status.Stderr.TrimEnd('\n').Split('\n'));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
