using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Resources;
using IoTSync.Testing.Rig;
using IoTSync.Testing.Ssh;

namespace IoTSync.Fleet;

/// <summary>
/// A single mirror node (SQLite) and the mirror host's sshd on loopback, set up as the rig sets up reverse mode
/// (<see cref="Deployment"/>: the shipped HOCON and iotsync-mirror.conf drop-in, the fleet CA from <c>ca init</c>,
/// the relay as the forced command, the HTTP API on HTTPS), and an admin token made over the control socket.
/// The rig also prepares one device of its own, which is never started.
/// </summary>
public sealed class LocalMirror : ILocalMirror
{
    private readonly Deployment _deployment;
    private readonly string _directory;
    private readonly bool _keep;

    private LocalMirror(Deployment deployment, string directory, bool keep, MirrorTarget target) =>
        (_deployment, _directory, _keep, Target) = (deployment, directory, keep, target);

    public MirrorTarget Target { get; }

    public string Description => "a single mirror node (SQLite) on loopback";

    /// <summary>None: SQLite lives in the node's own process.</summary>
    public int? DatabasePid => null;

    public IReadOnlyList<int> SshdPids => [_deployment.Sshd.ProcessId];

    /// <summary>How often the local mirror judges every device's health: the shipped mirror.hocon's value.</summary>
    public const string LateCheckEvery = "10s";

    /// <summary>The mirror node's log.</summary>
    public string MirrorLog => Path.Combine(_directory, "mirror", "node.log");

    public static async Task<LocalMirror> Start(FleetOptions options)
    {
        var directory = options.KeepDir ?? Directory.CreateTempSubdirectory("iotsync-fleet-").FullName;
        Directory.CreateDirectory(directory);
        Deployment? deployment = null;
        try
        {
            deployment = await Deployment.Create(directory, NodeBinaries.Locate(), new DeploymentOptions
            {
                Reverse = true,
                MirrorApi = true,
                Period = options.Cycle,
                WindowLimit = options.WindowLimit,
                // The rig judges health every second for its second-long cycles; that asks every device's
                // StateJournal each second. A fleet runs with the shipped cadence.
                ExtraMirrorConfig = $"iotsync.mirror.late-check-every = {LateCheckEvery}",
            });
            await deployment.StartMirror();
            using var local = MirrorApiClient.ForSocket(deployment.MirrorSocket);
            var token = (await local.CreateToken(new CreateTokenRequest("fleet-simulator", "admin"))).Bearer;
            var target = new MirrorTarget([new MirrorNodeTarget($"{deployment.MirrorHost}:{deployment.MirrorPort}", deployment.ApiAddress!,
                    deployment.Sshd.Address.ToString(), deployment.Sshd.Port, deployment.Sshd.AuthorizedKeysFile, deployment.Mirror!.Id)],
                "iotsync-mirror", token, deployment.FleetCaCertificate, Path.Combine(directory, "mirror", "fleet-ca.key"), PrivateSshd.User, deployment.Sshd.HostKey.Value);
            return new LocalMirror(deployment, directory, options.KeepDir is not null, target);
        }
        catch
        {
            if (deployment is not null)
                await deployment.DisposeAsync();
            if (options.KeepDir is null)
                Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>The mirror's last log lines, for a failure.</summary>
    public string Tail(int lines = 40) => _deployment.Mirror?.Tail(lines) ?? "";

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _deployment.DisposeAsync();
        }
        finally
        {
            if (!_keep)
                Directory.Delete(_directory, recursive: true);
        }
    }
}
