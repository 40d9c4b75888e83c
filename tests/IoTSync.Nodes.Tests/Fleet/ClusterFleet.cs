using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using IoTSync.Fleet;
using IoTSync.MirrorApi.Client;
using IoTSync.Testing.Persistence;
using IoTSync.Testing.Rig;
using IoTSync.Tests.Persistence;
using IoTSync.Tests.TestBed;

namespace IoTSync.Tests.Fleet;

/// <summary>
/// The fleet simulator's own parts (<see cref="FleetEnrolment"/>, <see cref="HeartbeatEdges"/>, <see cref="FleetRun"/>,
/// <see cref="FleetCheck"/>) against real mirror node processes in cluster mode (<see cref="MirrorClusterRig"/>) on a fresh
/// database of the class's private PostgreSQL, on loopback: the devices enrolled through node 1's API and listing every
/// node, edges formed, and a run the spec can act in (kill a node, start one). Disposing stops everything and removes
/// the directory and the database, also when the spec failed.
/// </summary>
internal sealed partial class ClusterFleet : IAsyncDisposable
{
    private readonly PostgresTestDatabase _database;
    private readonly string _directory;
    private readonly X509Certificate2 _ca;
    private readonly List<MirrorApiClient> _apis = [];
    private HeartbeatEdges? _edges;

    private ClusterFleet(PostgresTestDatabase database, string directory, MirrorClusterRig rig, MirrorTarget target, FleetOptions options)
    {
        (_database, _directory, Rig, Target, Options) = (database, directory, rig, target, options);
        _ca = X509Certificate2.CreateFromPem(File.ReadAllText(target.FleetCaCertificate));
        Hocon = DeviceHocon.Load();
    }

    public MirrorClusterRig Rig { get; }

    public MirrorTarget Target { get; }

    public FleetOptions Options { get; }

    public DeviceHocon Hocon { get; }

    public IReadOnlyList<SimulatedDevice> Devices { get; private set; } = [];

    public FleetRun Run { get; private set; } = null!;

    /// <summary>Node <paramref name="index"/>'s API (0-based), with the admin token.</summary>
    public MirrorApiClient Api(int index) => _apis[index];

    /// <summary>
    /// <paramref name="devices"/> simulated devices listing <paramref name="nodes"/> mirror nodes, of which the first
    /// <paramref name="started"/> run; enrolled through node 1, the running nodes' sshds given their authorized_keys,
    /// the edges' associations formed. <paramref name="extraNodeConfig"/> goes into every node's configuration.
    /// </summary>
    public static async Task<ClusterFleet> Start(PostgresFixture postgres, int devices, int nodes, int started, FleetOptions options, string extraNodeConfig = "")
    {
        TestBedRequirement.SkipUnlessSshd();
        var database = await postgres.CreateDatabase();
        var directory = Directory.CreateTempSubdirectory("iotsync-cluster-fleet-").FullName;
        MirrorClusterRig? rig = null;
        ClusterFleet? fleet = null;
        try
        {
            rig = await MirrorClusterRig.Create(directory, NodeBinaries.Locate(), database.ConnectionStringFile, new MirrorClusterOptions
            {
                Nodes = nodes,
                WindowLimit = options.WindowLimit,
                ExtraNodeConfig = extraNodeConfig,
            });
            var target = await LocalCluster.StartNodes(rig, started);
            fleet = new ClusterFleet(database, directory, rig, target, options with { Devices = devices });
            foreach (var node in target.Nodes)
                fleet._apis.Add(MirrorApiClient.ForUrl(node.Api, target.ApiToken, fleet._ca, TimeSpan.FromSeconds(30)));
            fleet.Devices = await FleetEnrolment.Enrol(fleet.Options, target, Path.Combine(directory, "devices"), fleet._apis.Take(started).ToList());
            fleet._edges = await HeartbeatEdges.Start(fleet.Options, target, fleet.Devices, fleet.Hocon);
            fleet.Run = new FleetRun(fleet.Options, target, fleet.Devices, fleet._apis[0], fleet.Hocon);
            await fleet.Run.Associate(fleet._edges.Firsts, CancellationToken.None);
            return fleet;
        }
        catch
        {
            if (fleet is not null)
                await fleet.DisposeAsync();
            else
            {
                if (rig is not null)
                    await rig.DisposeAsync();
                database.Dispose();
                Directory.Delete(directory, recursive: true);
            }
            throw;
        }
    }

    /// <summary>
    /// Runs the fleet's cycles for the options' duration and the drain after it (every device until nothing is left to
    /// sync), while <paramref name="during"/> acts, given the run's clock; both must end.
    /// </summary>
    public async Task RunCycles(Func<Stopwatch, Task>? during = null)
    {
        var clock = Stopwatch.StartNew();
        var run = Run.Run(() => { }, () => { }, CancellationToken.None);
        if (during is not null)
            await during(clock);
        await run;
    }

    /// <summary>The simulator's check: every device through the API of node i mod (the nodes given), both logs entry by entry.</summary>
    public Task<FleetCheck> Check(params int[] nodes) =>
        FleetCheck.Of(Devices, [.. nodes.Select(n => _apis[n])], Options.EnrolConcurrency);

    /// <summary>The devices whose journal (StateJournal entity) recovered on node <paramref name="index"/> (0-based), in its output from <paramref name="from"/> on.</summary>
    public IReadOnlySet<string> RecoveredOn(int index, int from = 0) =>
        Recovered().Matches(Output(index)[Math.Min(from, Output(index).Length)..]).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>What node <paramref name="index"/> has printed so far.</summary>
    public string Output(int index) => Rig.Nodes[index].Process?.Output ?? "";

    /// <summary>What went on, for a failing assertion: the run's errors and misses, the nodes' last lines.</summary>
    public string Said(FleetCheck? check = null) =>
        $"errors: {string.Join("; ", Run.Stats.Errors.Select(e => $"{e.Value} x {e.Key}"))}\n" +
        $"missed: {string.Join(", ", Devices.Where(d => d.MissedWindows > 0).Select(d => $"{d.Id} {d.MissedWindows} (row {d.MostMissedInARow})"))}\n" +
        (check is null ? "" : $"check: {check}\n{string.Join("\n", check.Mismatches)}\n") +
        string.Join("\n", Rig.Nodes.Select(n => $"--- node {n.Number}:\n{n.Tail(25)}"));

    [GeneratedRegex(@"\[([a-z]+-\d{5})\] recovered:")]
    private static partial Regex Recovered();

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_edges is not null)
                await _edges.DisposeAsync();
            foreach (var api in _apis)
                api.Dispose();
            _ca.Dispose();
            await Rig.DisposeAsync();
        }
        finally
        {
            _database.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS's temp cleaning.
            }
        }
    }
}
