using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// What a node refuses at start, through the real executables beside a running pair: a configuration with
/// a key it does not know (named, nothing created), and a second node on the same configuration (refused
/// before it binds anything, naming the first one's pid, which runs on untouched).
/// </summary>
[Collection(NodeProcessCollection.Name)]
public sealed class NodeStartRefusalSpecs(RunningPair pair) : IClassFixture<RunningPair>
{
    [SkippableTheory]
    [InlineData("device", "iotsync.device.contrl-socket")]
    [InlineData("mirror", "iotsync.mirror.contrl-socket")]
    public async Task Should_refuse_a_typo_in_the_configuration_with_its_name_and_create_nothing(string node, string key)
    {
        var deployment = pair.Rig.Deployment;
        var config = node == "device" ? deployment.DeviceConfig : deployment.MirrorConfig;
        // Beside the node's own (and its shared.hocon), with a database of its own that must not appear.
        var typo = Path.Combine(Path.GetDirectoryName(config)!, $"typo-{node}.hocon");
        var database = Path.Combine(Path.GetDirectoryName(config)!, $"typo-{node}.db");
        await File.WriteAllTextAsync(typo, await File.ReadAllTextAsync(config) + $"""

            # This spec's database.
            iotsync.persistence.database-path = "{database}"
            # A typo.
            {key} = "elsewhere.sock"

            """);
        var dll = node == "device" ? deployment.Binaries.DeviceDll : deployment.Binaries.MirrorDll;

        var run = await NodeCliRunner.Run(dll, ["run", "--config", typo], dotnet: deployment.Binaries.Dotnet);
        var journal = await NodeCliRunner.Run(dll, ["journal", "list", "--config", typo], dotnet: deployment.Binaries.Dotnet);

        foreach (var refused in new[] { run, journal })
            Assert.Equal((2, $"iotsync-{node}: unknown configuration key {key} in {typo}\n", ""), (refused.ExitCode, refused.Stderr, refused.Stdout));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(config)!, $"typo-{node}.db*"));
    }

    [SkippableTheory]
    [InlineData("device")]
    [InlineData("mirror")]
    public async Task Should_refuse_a_second_node_on_the_same_configuration_naming_the_first(string node)
    {
        var deployment = pair.Rig.Deployment;
        var first = node == "device" ? deployment.Device! : deployment.Mirror!;
        var (dll, config, database) = node == "device"
            ? (deployment.Binaries.DeviceDll, deployment.DeviceConfig, deployment.DeviceDatabase)
            : (deployment.Binaries.MirrorDll, deployment.MirrorConfig, deployment.MirrorDatabase);

        var second = await NodeCliRunner.Run(dll, ["run", "--config", config], dotnet: deployment.Binaries.Dotnet, timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(2, second.ExitCode);
        Assert.Equal($"iotsync-{node}: another {node} node (pid {first.Id}) is running on this configuration: it holds {database}.lock; stop it first\n", second.Stderr);
        Assert.Equal("", second.Stdout);
        Assert.False(first.HasExited);
        // The first still serves: its control socket answers and a window still converges.
        await pair.Rig.AwaitConverged();
    }
}

/// <summary>A mirror and a device running, enrolled, for specs that only read or are refused.</summary>
public sealed class RunningPair : IAsyncLifetime
{
    private NodeRig? _rig;
    private string? _skip;

    public NodeRig Rig => _rig ?? throw new SkipException(_skip ?? "no rig");

    public async Task InitializeAsync()
    {
        try
        {
            _rig = await NodeRig.Create();
        }
        catch (SkipException e)
        {
            _skip = e.Message;
            return;
        }
        await _rig.Deployment.StartAll();
    }

    public async Task DisposeAsync()
    {
        if (_rig is not null)
            await _rig.DisposeAsync();
    }
}
