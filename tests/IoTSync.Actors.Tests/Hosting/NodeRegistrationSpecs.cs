using System.Security.Cryptography;
using Akka.Configuration;
using Akka.Hosting;
using IoTSync.Control;
using IoTSync.Device;
using IoTSync.Mirror;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace IoTSync.Tests.Hosting;

/// <summary>
/// The registration extensions the nodes' <c>run</c> commands use, on a plain generic host: each
/// node's actors are in the registry under their keys once the host has started, and its control
/// socket answers.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NodeRegistrationSpecs : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("iotsync-host-").FullName;

    [Fact]
    public async Task Should_register_every_device_actor_and_open_the_control_socket()
    {
        var config = NodeConfig("device.hocon", $$"""
            iotsync.device.id = "dev-host"
            iotsync.device.control-socket = "{{_directory}}/device.sock"
            # Nothing listens on the discard port: heartbeats fail, which this spec does not look at.
            iotsync.device.mirror.address = "127.0.0.1:9"
            iotsync.device.cycle { period = 1h, window-limit = 10s }
            # Registration only: TLS has its own specs (Security/MutualTlsSpecs).
            iotsync.tls.enabled = off
            iotsync.persistence.database-path = "{{_directory}}/device.db"
            """);
        var settings = DeviceNodeSettings.FromConfig(config);
        var parts = DeviceNodeParts.FromConfig(config, settings, new AlwaysUpInterface(), RandomNumberGenerator.GetBytes(32));
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddDeviceNode(config, parts);

        await Running(builder.Build(), async host =>
        {
            var registry = host.Services.GetRequiredService<ActorRegistry>();
            Assert.True(registry.TryGet<DeviceNodeActors.Recorder>(out _));
            Assert.True(registry.TryGet<DeviceNodeActors.Heartbeat>(out _));
            Assert.True(registry.TryGet<DeviceNodeActors.Cycle>(out _));
            Assert.True(await ControlSocketClient.IsAnswering(settings.ControlSocket));
        });
    }

    [Fact]
    public async Task Should_register_every_mirror_actor_and_serve_the_api_on_the_control_socket()
    {
        var config = NodeConfig("mirror.hocon", $$"""
            akka.remote.dot-netty.tcp.port = 0
            # Registration only: TLS has its own specs (Security/MutualTlsSpecs).
            iotsync.tls.enabled = off
            iotsync.mirror.control-socket = "{{_directory}}/mirror.sock"
            iotsync.mirror.ssh.private-key = "{{_directory}}/mirror_ssh_key"
            iotsync.persistence.database-path = "{{_directory}}/mirror.db"
            """);
        var parts = MirrorNodeParts.FromConfig(config);

        await Running(await IoTSync.MirrorApi.Server.MirrorWebHost.Build(config, parts), async host =>
        {
            var registry = host.Services.GetRequiredService<ActorRegistry>();
            Assert.True(registry.TryGet<MirrorNodeActors.Registry>(out _));
            Assert.True(registry.TryGet<MirrorNodeActors.Tokens>(out _));
            Assert.True(registry.TryGet<MirrorNodeActors.Journals>(out _));
            Assert.True(registry.TryGet<MirrorNodeActors.Replicator>(out _));
            Assert.True(registry.TryGet<MirrorNodeActors.LateWatch>(out _));
            Assert.True(registry.TryGet<MirrorNodeActors.Listener>(out var listener));
            Assert.Equal($"/user/{HeartbeatListener.Name}", listener.Path.ToStringWithoutAddress());
            using var api = IoTSync.MirrorApi.Client.MirrorApiClient.ForSocket(parts.Settings.ControlSocket);
            Assert.Empty((await api.Devices()).Devices);
        });
    }

    public void Dispose()
    {
        foreach (var database in Directory.GetFiles(_directory, "*.db"))
            IoTSync.Persistence.SqlitePersistence.ClearPool(database);
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The shipped node file over shared.hocon, with this spec's paths, quiet logging, over it.</summary>
    private static Config NodeConfig(string nodeFile, string overrides) =>
        ConfigurationFactory.ParseString(overrides + "\nakka.loglevel = WARNING\nakka.stdout-loglevel = WARNING")
            .WithFallback(IoTSyncSystem.LoadNodeConfig(Path.Combine(AppContext.BaseDirectory, "hocon", nodeFile)));

    private static async Task Running(IHost host, Func<IHost, Task> check)
    {
        using (host)
        {
            using var deadline = new CancellationTokenSource(Deadline);
            await host.StartAsync(deadline.Token);
            try
            {
                await check(host);
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }
        }
    }
}
