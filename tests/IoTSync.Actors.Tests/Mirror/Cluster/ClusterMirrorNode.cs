using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Hosting;
using IoTSync.Mirror;
using IoTSync.MirrorApi.Server;
using IoTSync.Tests.Security;
using Microsoft.Extensions.DependencyInjection;

namespace IoTSync.Tests.Mirror.Cluster;

/// <summary>
/// One mirror node in cluster mode as <c>iotsync-mirror run</c> builds it (the shipped mirror.hocon, mutual TLS), in this
/// process, on the PostgreSQL journal the cluster's nodes share; its own directory for keys, socket and lock.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class ClusterMirrorNode : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly Microsoft.AspNetCore.Builder.WebApplication _host;
    private readonly string _directory;

    private ClusterMirrorNode(Microsoft.AspNetCore.Builder.WebApplication host, string directory, int clusterPort)
    {
        (_host, _directory, ClusterPort) = (host, directory, clusterPort);
    }

    public int ClusterPort { get; }

    public ActorSystem Core => _host.Services.GetRequiredService<ActorSystem>();

    public MirrorNodeParts Parts => _host.Services.GetRequiredService<MirrorNodeParts>();

    public IActorRef Registry => _host.Services.GetRequiredService<ActorRegistry>().Get<MirrorNodeActors.Registry>();

    public IActorRef Journals => _host.Services.GetRequiredService<ActorRegistry>().Get<MirrorNodeActors.Journals>();

    /// <summary>The node's API operations, as its HTTP API calls them.</summary>
    public MirrorOperations Operations => _host.Services.GetRequiredService<MirrorOperations>();

    /// <summary>The node's device board: what its listings and its health watch read.</summary>
    public DeviceBoard Board => Parts.Board;

    /// <summary>The ids of the device journals living on this node now.</summary>
    public async Task<IReadOnlySet<string>> LocalJournals()
    {
        var state = await Journals.Ask<Akka.Cluster.Sharding.CurrentShardRegionState>(Akka.Cluster.Sharding.GetShardRegionState.Instance, Timeout);
        return state.Shards.SelectMany(s => s.EntityIds).ToHashSet();
    }

    /// <summary>The members this node sees as up.</summary>
    public int MembersUp => Akka.Cluster.Cluster.Get(Core).State.Members.Count(m => m.Status == MemberStatus.Up);

    /// <summary>
    /// Starts a node on <paramref name="clusterPort"/> that joins <paramref name="seedPorts"/> (loopback), keeping its
    /// journal in the PostgreSQL database whose connection string is in <paramref name="connectionStringFile"/>;
    /// <paramref name="tlsFiles"/> writes its TLS files and gives their HOCON.
    /// </summary>
    public static Task<ClusterMirrorNode> Start(Func<string, string> tlsFiles, string connectionStringFile, int clusterPort, params int[] seedPorts) =>
        Start(tlsFiles, connectionStringFile, clusterPort, TimeSpan.FromMinutes(2), seedPorts);

    /// <summary>As the other Start, with the devices' journals passivated after <paramref name="passivateIdleAfter"/>.</summary>
    public static Task<ClusterMirrorNode> Start(Func<string, string> tlsFiles, string connectionStringFile, int clusterPort, TimeSpan passivateIdleAfter,
        params int[] seedPorts) =>
        StartWith(tlsFiles, connectionStringFile, clusterPort, passivateIdleAfter, "", seedPorts);

    /// <summary>As the other Start, with <paramref name="extraHocon"/> over the node's configuration.</summary>
    public static async Task<ClusterMirrorNode> StartWith(Func<string, string> tlsFiles, string connectionStringFile, int clusterPort, TimeSpan passivateIdleAfter,
        string extraHocon, params int[] seedPorts)
    {
        var directory = Directory.CreateTempSubdirectory("iotsync-cluster-node-").FullName;
        try
        {
            var seeds = string.Join(", ", seedPorts.Select(p => $"\"127.0.0.1:{p}\""));
            var config = ConfigurationFactory.ParseString(tlsFiles(directory) + $$"""
                akka.remote.dot-netty.tcp.port = 0
                iotsync.mirror.control-socket = "{{directory}}/mirror.sock"
                iotsync.mirror.ssh.private-key = "{{directory}}/mirror_ssh_key"
                iotsync.persistence {
                  provider = postgresql
                  database-path = "{{directory}}/mirror.db"
                  postgresql.connection-string-file = "{{connectionStringFile}}"
                }
                iotsync.mirror.cluster {
                  mode = cluster
                  hostname = "127.0.0.1"
                  port = {{clusterPort}}
                  seed-nodes = [{{seeds}}]
                  down-unreachable-after = 2s
                  passivate-idle-after = {{(long)passivateIdleAfter.TotalMilliseconds}}ms
                }
                akka.loglevel = WARNING
                akka.stdout-loglevel = WARNING
                {{extraHocon}}
                """).WithFallback(IoTSyncSystem.LoadNodeConfig(Path.Combine(AppContext.BaseDirectory, "hocon", "mirror.hocon")));
            var host = await MirrorWebHost.Build(config, MirrorNodeParts.FromConfig(config));
            using var deadline = new CancellationTokenSource(Timeout);
            await host.StartAsync(deadline.Token);
            return new ClusterMirrorNode(host, directory, clusterPort);
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(CancellationToken.None);
            await _host.DisposeAsync();
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
