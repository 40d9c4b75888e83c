using Akka.Actor;
using Akka.Configuration;
using Xunit;

namespace IoTSync.Tests.Hosting;

/// <summary>
/// Akka.Remote does not share its port (<c>tcp-reuse-addr = off</c> in both shipped files): a second edge on
/// a port in use fails to start, where Akka's default would have let it bind beside the first.
/// </summary>
public sealed class RemotePortSpecs
{
    [Theory]
    [InlineData("mirror.hocon")]
    [InlineData("device.hocon")]
    public async Task Should_refuse_a_second_system_on_a_port_in_use(string file)
    {
        var config = OnPort(file, PrivateSshd.FreePort());
        Assert.Equal("off", config.GetString("akka.remote.dot-netty.tcp.tcp-reuse-addr"));
        using var first = ActorSystem.Create("iotsync-mirror", IoTSyncSystem.EdgeSetup(config, null));
        try
        {
            var error = Record.Exception(() =>
            {
                using var second = ActorSystem.Create("iotsync-mirror", IoTSyncSystem.EdgeSetup(config, null));
            });

            Assert.NotNull(error);
            Assert.Contains("Address already in use", error.ToString(), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await first.Terminate();
        }
    }

    [Fact]
    public async Task Should_have_shared_the_port_with_akkas_default()
    {
        var config = ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.tcp-reuse-addr = on").WithFallback(OnPort("mirror.hocon", PrivateSshd.FreePort()));
        using var first = ActorSystem.Create("iotsync-mirror", IoTSyncSystem.EdgeSetup(config, null));
        using var second = ActorSystem.Create("iotsync-mirror", IoTSyncSystem.EdgeSetup(config, null));

        Assert.Equal(((ExtendedActorSystem)first).Provider.DefaultAddress.Port, ((ExtendedActorSystem)second).Provider.DefaultAddress.Port);
        await Task.WhenAll(first.Terminate(), second.Terminate());
    }

    [Fact]
    public async Task Should_start_again_on_its_port_at_once_while_its_last_connections_sit_in_time_wait()
    {
        var port = PrivateSshd.FreePort();
        // What a stopped node leaves: a connection on its port that it closed first, in TIME_WAIT.
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port))
        {
            listener.Start();
            using var peer = new System.Net.Sockets.TcpClient();
            await peer.ConnectAsync(System.Net.IPAddress.Loopback, port);
            using (var accepted = await listener.AcceptSocketAsync())
                accepted.Close();
            listener.Stop();
        }
        await Polling.Until("this port's side of the connection in TIME_WAIT", TimeSpan.FromSeconds(10), async () =>
        {
            // ss -tan: State Recv-Q Send-Q Local Peer.
            var sockets = (await ProcessRunner.Run(["ss", "-tan"], TimeSpan.FromSeconds(10))).Stdout;
            return sockets.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Any(c => c.Length >= 5 && c[0] == "TIME-WAIT" && c[3].EndsWith($":{port}", StringComparison.Ordinal)) ? true : (bool?)null;
        });

        using var again = ActorSystem.Create("iotsync-mirror", IoTSyncSystem.EdgeSetup(OnPort("mirror.hocon", port), null));

        Assert.Equal(port, ((ExtendedActorSystem)again).Provider.DefaultAddress.Port);
        await again.Terminate();
    }

    private static Config OnPort(string file, int port) =>
        ConfigurationFactory.ParseString($"""
            akka.remote.dot-netty.tcp.port = {port}
            akka.loglevel = OFF
            akka.stdout-loglevel = OFF
            """).WithFallback(IoTSyncSystem.LoadNodeConfig(Path.Combine(AppContext.BaseDirectory, "hocon", file)));
}
