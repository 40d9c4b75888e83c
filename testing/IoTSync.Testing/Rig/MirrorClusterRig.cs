using System.Globalization;
using System.Text.RegularExpressions;
using IoTSync.Testing.Processes;
using IoTSync.Testing.Ssh;

namespace IoTSync.Testing.Rig;

/// <summary>How a <see cref="MirrorClusterRig"/> is set up.</summary>
public sealed record MirrorClusterOptions
{
    /// <summary>The nodes prepared (each started apart, the first being the seed).</summary>
    public int Nodes { get; init; } = 2;

    /// <summary>The devices' window limit: it bounds the mirror's sessions and its wait for a reverse device's arrival.</summary>
    public TimeSpan WindowLimit { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>After a node stops answering, how long the split-brain resolver waits (<c>iotsync.mirror.cluster.down-unreachable-after</c>).</summary>
    public TimeSpan DownUnreachableAfter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>HOCON appended to every node's configuration; nothing when empty.</summary>
    public string ExtraNodeConfig { get; init; } = "";
}

/// <summary>
/// M real mirror node processes (<c>iotsync-mirror run</c>) in cluster mode on one PostgreSQL journal, on loopback,
/// each in a directory of its own with its own heartbeat (edge) port, HTTP API port (HTTPS), cluster port, control
/// and session sockets, and its own mirror host sshd (the shipped iotsync-mirror.conf drop-in) whose authorized_keys
/// force the relay to that node's session socket. Node 1 is the seed; its <c>ca init</c> makes the fleet CA and the
/// mirror certificate every node presents (to devices and to each other), and its sshd's host key is every node's,
/// so a device pins one key for all of them. The cluster ports ascend with the node number: node 1 has the lowest
/// address, the one keep-majority keeps when two nodes part. Disposing kills the nodes and the sshds.
/// </summary>
public sealed partial class MirrorClusterRig : IAsyncDisposable
{
    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private MirrorClusterRig(string directory, NodeBinaries binaries, MirrorClusterOptions options, IReadOnlyList<MirrorClusterNode> nodes)
    {
        Directory = directory;
        Binaries = binaries;
        Options = options;
        Nodes = nodes;
    }

    public string Directory { get; }

    public NodeBinaries Binaries { get; }

    public MirrorClusterOptions Options { get; }

    /// <summary>Every node prepared, in order; node 1 (index 0) is the seed.</summary>
    public IReadOnlyList<MirrorClusterNode> Nodes { get; }

    /// <summary>The fleet CA's certificate (node 1's, every node's).</summary>
    public string FleetCaCertificate => Nodes[0].PathOf("fleet-ca.crt");

    /// <summary>The fleet CA's key (on node 1).</summary>
    public string FleetCaKey => Nodes[0].PathOf("fleet-ca.key");

    /// <summary>The host key fingerprint every node's sshd presents.</summary>
    public string SshHostKey => Nodes[0].Sshd.HostKey.Value;

    /// <summary>The relay the authorized_keys lines force (native, or the managed one through dotnet).</summary>
    public string RelayCommand => Binaries.Relay switch
    {
        null => throw new InvalidOperationException("reverse mode needs the relay (IoTSync.SyncRelay) built"),
        var dll when dll.EndsWith(".dll", StringComparison.Ordinal) => $"{Binaries.Dotnet} {dll}",
        var native => native,
    };

    /// <summary>
    /// Writes every node's configuration, makes the fleet CA on node 1 and copies it and the mirror certificate to the
    /// others, and starts every node's sshd; the nodes themselves start with <see cref="Start"/>.
    /// </summary>
    public static async Task<MirrorClusterRig> Create(string directory, NodeBinaries binaries, string connectionStringFile, MirrorClusterOptions options)
    {
        directory = Path.GetFullPath(directory);
        var clusterPorts = Enumerable.Range(0, options.Nodes).Select(_ => PrivateSshd.FreePort()).Order().ToArray();
        var nodes = new List<MirrorClusterNode>();
        try
        {
            for (var k = 0; k < options.Nodes; k++)
            {
                var home = Path.Combine(directory, $"node{k + 1}");
                System.IO.Directory.CreateDirectory(home);
                var sshDirectory = Path.Combine(home, "mirror-ssh");
                System.IO.Directory.CreateDirectory(sshDirectory);
                if (k > 0)
                    foreach (var file in new[] { "host_key", "host_key.pub" })
                        File.Copy(nodes[0].Sshd.PathOf(file), Path.Combine(sshDirectory, file));
                var sshd = await PrivateSshd.Start(new SshdOptions { Directory = sshDirectory, LogLevel = "VERBOSE", DropIn = PrivateSshd.MirrorDropIn });
                nodes.Add(new MirrorClusterNode(k + 1, home, PrivateSshd.FreePort(), PrivateSshd.FreePort(), clusterPorts[k], sshd));
            }
            var rig = new MirrorClusterRig(directory, binaries, options, nodes);
            foreach (var node in nodes)
                await rig.WriteConfig(node, connectionStringFile, clusterPorts[0]);
            (await rig.Cli(nodes[0], ["ca", "init"])).EnsureSuccess("iotsync-mirror ca init");
            foreach (var node in nodes.Skip(1))
                foreach (var file in new[] { "fleet-ca.crt", "fleet-ca.key", "mirror.crt", "mirror.key" })
                {
                    File.Copy(nodes[0].PathOf(file), node.PathOf(file));
                    if (!OperatingSystem.IsWindows())
                        File.SetUnixFileMode(node.PathOf(file), File.GetUnixFileMode(nodes[0].PathOf(file)));
                }
            return rig;
        }
        catch
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
            throw;
        }
    }

    private async Task WriteConfig(MirrorClusterNode node, string connectionStringFile, int seedPort)
    {
        File.Copy(Path.Combine(Binaries.HoconDirectory, "shared.hocon"), node.PathOf("shared.hocon"), overwrite: true);
        var shipped = await File.ReadAllTextAsync(Path.Combine(Binaries.HoconDirectory, "mirror.hocon"));
        var window = (long)Options.WindowLimit.TotalMilliseconds;
        await File.WriteAllTextAsync(node.Config, shipped + $"""

            # Node {node.Number} of this cluster: its own ports, sockets, key and state directory.
            # The heartbeat (device edge) port.
            akka.remote.dot-netty.tcp.port = {node.EdgePort}
            # The control socket.
            iotsync.mirror.control-socket = "{node.ControlSocket}"
            # The mirror's SSH key (made on first start).
            iotsync.mirror.ssh.private-key = "{node.PathOf("mirror_ssh_key")}"
            # The node's state directory and lock (the journal is PostgreSQL's).
            iotsync.persistence.database-path = "{node.PathOf("mirror.db")}"
            # The journal every node shares.
            iotsync.persistence.provider = postgresql
            # The owner-only file holding the connection string.
            iotsync.persistence.postgresql.connection-string-file = "{connectionStringFile}"
            # The fleet CA (node 1's ca init) and the mirror certificate every node presents.
            iotsync.tls.ca-certificate = "{node.PathOf("fleet-ca.crt")}"
            # The CA's key.
            iotsync.mirror.ca.key = "{node.PathOf("fleet-ca.key")}"
            # The mirror's certificate.
            iotsync.tls.certificate = "{node.PathOf("mirror.crt")}"
            # The mirror's certificate key.
            iotsync.tls.key = "{node.PathOf("mirror.key")}"
            # A session is bounded by the devices' window.
            iotsync.mirror.ssh.session-timeout = {window * 3}ms
            # The devices' window limit.
            iotsync.mirror.window-limit = {window}ms
            # The HTTP API: HTTPS on loopback with the mirror's certificate.
            iotsync.mirror.http.listen = ["127.0.0.1:{node.ApiPort}"]
            # Reverse mode: this node's session socket, which its sshd's relay reaches.
            iotsync.mirror.reverse.session-socket = "{node.SessionSocket}"
            # The relay the authorized_keys lines force.
            iotsync.mirror.reverse.relay-command = "{RelayCommand}"
            # The mirror waits for a device's session at most its window.
            iotsync.mirror.reverse.arrival-timeout = {window}ms
            # A member of the cluster of mirror nodes; node 1 is the seed.
            iotsync.mirror.cluster.mode = cluster
            # Where the other nodes reach this one.
            iotsync.mirror.cluster.hostname = "127.0.0.1"
            # This node's cluster port.
            iotsync.mirror.cluster.port = {node.ClusterPort}
            # Node 1, the seed.
            iotsync.mirror.cluster.seed-nodes = ["127.0.0.1:{seedPort}"]
            # How long an unreachable node waits for the split-brain resolver.
            iotsync.mirror.cluster.down-unreachable-after = {(long)Options.DownUnreachableAfter.TotalMilliseconds}ms

            """ + (Options.ExtraNodeConfig.Length > 0 ? $"""
            # This cluster's own additions.
            {Options.ExtraNodeConfig}

            """ : ""));
    }

    /// <summary>Starts node <paramref name="node"/>'s process and waits until it says it runs (a member, serving).</summary>
    public async Task Start(MirrorClusterNode node)
    {
        node.Process = NodeProcess.Start(Binaries.Dotnet, [Binaries.MirrorDll, "run", "--config", node.Config], node.Log);
        await node.Process.WaitForOutput(Running(), StartTimeout);
    }

    /// <summary>A mirror command line against node <paramref name="node"/>'s configuration.</summary>
    public Task<CliRun> Cli(MirrorClusterNode node, IReadOnlyList<string> arguments) =>
        NodeCliRunner.Run(Binaries.MirrorDll, [.. arguments, "--config", node.Config], timeout: CliTimeout, dotnet: Binaries.Dotnet);

    [GeneratedRegex("iotsync-mirror: running")]
    private static partial Regex Running();

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
            await node.DisposeAsync();
    }
}

/// <summary>One mirror node of a <see cref="MirrorClusterRig"/>: its directory, ports, sockets, sshd and process.</summary>
public sealed class MirrorClusterNode(int number, string directory, int edgePort, int apiPort, int clusterPort, PrivateSshd sshd) : IAsyncDisposable
{
    /// <summary>1 for the seed, then 2, 3...</summary>
    public int Number { get; } = number;

    public string Directory { get; } = directory;

    /// <summary>The heartbeat listener's port (the device edge's Akka.Remote).</summary>
    public int EdgePort { get; } = edgePort;

    public int ApiPort { get; } = apiPort;

    /// <summary>The core's Akka.Cluster port.</summary>
    public int ClusterPort { get; } = clusterPort;

    /// <summary>The mirror host sshd whose relay reaches this node's session socket.</summary>
    public PrivateSshd Sshd { get; } = sshd;

    /// <summary>The node process, once started.</summary>
    public NodeProcess? Process { get; internal set; }

    public string HeartbeatAddress => $"127.0.0.1:{EdgePort.ToString(CultureInfo.InvariantCulture)}";

    public Uri Api => new($"https://127.0.0.1:{ApiPort.ToString(CultureInfo.InvariantCulture)}/");

    public string Config => PathOf("mirror.hocon");

    public string ControlSocket => Path.Combine(Directory, "run", "mirror.sock");

    public string SessionSocket => Path.Combine(Directory, "run", "session", "session.sock");

    /// <summary>The node's log (stdout and stderr).</summary>
    public string Log => PathOf("node.log");

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>The node's last log lines.</summary>
    public string Tail(int lines = 40) => Process?.Tail(lines) ?? "";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Process is not null)
            {
                await Process.Stop(TimeSpan.FromSeconds(10));
                await Process.DisposeAsync();
            }
        }
        finally
        {
            await Sshd.DisposeAsync();
        }
    }
}
