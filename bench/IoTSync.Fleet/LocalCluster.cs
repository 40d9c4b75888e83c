using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Resources;
using IoTSync.Testing.Persistence;
using IoTSync.Testing.Rig;
using IoTSync.Testing.Ssh;

namespace IoTSync.Fleet;

/// <summary>
/// A cluster of M real mirror nodes on loopback (<see cref="MirrorClusterRig"/>) on a private PostgreSQL of its own
/// (<see cref="PrivatePostgres"/>, a fresh database): node 1 (the seed) started first, then the others; an admin token
/// made over node 1's control socket, valid on every node once its cache has read it from the journal.
/// </summary>
public sealed class LocalCluster : ILocalMirror
{
    private readonly PrivatePostgres _server;
    private readonly PostgresTestDatabase _database;
    private readonly string _directory;
    private readonly bool _keep;

    private LocalCluster(PrivatePostgres server, PostgresTestDatabase database, MirrorClusterRig rig, string directory, bool keep, MirrorTarget target) =>
        (_server, _database, Rig, _directory, _keep, Target) = (server, database, rig, directory, keep, target);

    public MirrorClusterRig Rig { get; }

    public MirrorTarget Target { get; }

    /// <summary>The postmaster, from the first line of its data directory's postmaster.pid.</summary>
    public int? DatabasePid
    {
        get
        {
            var file = Path.Combine(_server.DataDirectory, "postmaster.pid");
            return File.Exists(file) && int.TryParse(File.ReadLines(file).FirstOrDefault(), out var pid) ? pid : null;
        }
    }

    public IReadOnlyList<int> SshdPids => [.. Rig.Nodes.Select(node => node.Sshd.ProcessId)];

    public string Description => $"{Rig.Nodes.Count} mirror node(s) in cluster mode on a private PostgreSQL, on loopback";

    /// <summary>Starts the server, the rig's sshds and <paramref name="options"/>' node count of mirror nodes.</summary>
    public static async Task<LocalCluster> Start(FleetOptions options)
    {
        if (PrivatePostgres.Unavailable() is { } reason)
            throw new InvalidOperationException($"--nodes {options.Nodes}{(options.Postgres ? " --postgres" : "")} needs a private PostgreSQL: {reason}");
        var directory = options.KeepDir ?? Directory.CreateTempSubdirectory("iotsync-fleet-cluster-").FullName;
        Directory.CreateDirectory(directory);
        var server = await PrivatePostgres.Start();
        PostgresTestDatabase? database = null;
        MirrorClusterRig? rig = null;
        try
        {
            database = await server.CreateDatabase();
            rig = await MirrorClusterRig.Create(directory, NodeBinaries.Locate(), database.ConnectionStringFile, new MirrorClusterOptions
            {
                Nodes = options.Nodes,
                WindowLimit = options.WindowLimit,
                // The shipped cadence of health judgement (as the single local mirror runs it).
                ExtraNodeConfig = $"iotsync.mirror.late-check-every = {LocalMirror.LateCheckEvery}",
            });
            var target = await StartNodes(rig, rig.Nodes.Count);
            return new LocalCluster(server, database, rig, directory, options.KeepDir is not null, target);
        }
        catch
        {
            if (rig is not null)
                await rig.DisposeAsync();
            database?.Dispose();
            await server.DisposeAsync();
            if (options.KeepDir is null)
                Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Starts the rig's first <paramref name="started"/> nodes (node 1 first: it forms the cluster; the others join it, at
    /// once), makes an admin token on node 1, and returns every prepared node as the fleet's target (those not started yet
    /// too: a device lists them, and they answer once started).
    /// </summary>
    public static async Task<MirrorTarget> StartNodes(MirrorClusterRig rig, int started)
    {
        await rig.Start(rig.Nodes[0]);
        await Task.WhenAll(rig.Nodes.Skip(1).Take(started - 1).Select(rig.Start));
        using var local = MirrorApiClient.ForSocket(rig.Nodes[0].ControlSocket);
        var token = (await local.CreateToken(new CreateTokenRequest("fleet-simulator", "admin"))).Bearer;
        return new MirrorTarget([.. rig.Nodes.Select(node => new MirrorNodeTarget(node.HeartbeatAddress, node.Api, node.Sshd.Address.ToString(), node.Sshd.Port,
                node.Sshd.AuthorizedKeysFile, node.Process?.Id))],
            "iotsync-mirror", token, rig.FleetCaCertificate, rig.FleetCaKey, PrivateSshd.User, rig.SshHostKey);
    }

    public string Tail(int lines = 40) =>
        string.Join("\n", Rig.Nodes.Select(node => $"--- node {node.Number}:\n{node.Tail(lines)}"));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Rig.DisposeAsync();
        }
        finally
        {
            _database.Dispose();
            await _server.DisposeAsync();
            if (!_keep)
                Directory.Delete(_directory, recursive: true);
        }
    }
}
