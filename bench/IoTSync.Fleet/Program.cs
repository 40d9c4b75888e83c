using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using IoTSync.MirrorApi.Client;

namespace IoTSync.Fleet;

/// <summary>
/// <c>iotsync-fleet</c>: N simulated devices speaking the real protocol to a mirror node (see <see cref="FleetOptions.Usage"/>),
/// then the table on stdout and the JSON report. Exit 0; 1 when <c>--check</c> found a device or command wrong; 2 on bad options.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        FleetOptions options;
        try
        {
            options = FleetOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"iotsync-fleet: {e.Message}\n{FleetOptions.Usage}");
            return 2;
        }
        using var stopping = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stopping.Cancel();
        };
        ILocalMirror? local = null;
        try
        {
            if (options.LocalMirror)
            {
                if (options.LocalCluster)
                {
                    Console.WriteLine($"iotsync-fleet: starting a private PostgreSQL and {options.Nodes} mirror node(s) in cluster mode, each with its host's sshd, on loopback");
                    local = await LocalCluster.Start(options);
                }
                else
                {
                    Console.WriteLine("iotsync-fleet: starting a single mirror node (SQLite) and the mirror host's sshd on loopback");
                    local = await LocalMirror.Start(options);
                }
            }
            var target = local?.Target ?? options.Target!;
            var report = await Simulate(options, target, local?.Description ?? "the mirror at " + target.First.HeartbeatAddress, local?.DatabasePid, local?.SshdPids ?? [], stopping.Token);
            Console.Write(report.Table());
            var file = options.JsonFile ?? (options.ResultsDir is { } results
                ? Path.Combine(results, $"fleet-{(options.LocalCluster ? $"nodes-{options.Nodes}-" : "")}{(report.Associations.Replace(':', '-'))}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json")
                : null);
            if (file is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                await File.WriteAllTextAsync(file, report.ToJson());
                Console.WriteLine($"  written to {file}");
            }
            if (report.Check is { Passed: false } && local is not null)
                Console.Error.WriteLine($"--- the mirror's last lines:\n{local.Tail()}");
            return report.Check is { Passed: false } ? 1 : 0;
        }
        finally
        {
            if (local is not null)
                await local.DisposeAsync();
        }
    }

    private static async Task<FleetReport> Simulate(FleetOptions options, MirrorTarget target, string mirrorName, int? databasePid, IReadOnlyList<int> sshdPids,
        CancellationToken cancellationToken)
    {
        // The devices' keys and certificates: beside the kept mirror, else in a directory of their own.
        var directory = options.KeepDir is { } keep ? Path.Combine(keep, "fleet-devices") : Directory.CreateTempSubdirectory("iotsync-fleet-devices-").FullName;
        Directory.CreateDirectory(directory);
        try
        {
            using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(target.FleetCaCertificate));
            var apis = target.Nodes.Select(node => MirrorApiClient.ForUrl(node.Api, target.ApiToken, ca, TimeSpan.FromSeconds(60))).ToList();
            try
            {
                return await Simulate(options, target, mirrorName, databasePid, sshdPids, directory, apis, cancellationToken);
            }
            finally
            {
                foreach (var client in apis)
                    client.Dispose();
            }
        }
        finally
        {
            if (options.KeepDir is null)
                Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<FleetReport> Simulate(FleetOptions options, MirrorTarget target, string mirrorName, int? databasePid, IReadOnlyList<int> sshdPids,
        string directory, IReadOnlyList<MirrorApiClient> apis, CancellationToken cancellationToken)
    {
        var api = apis[0];
        var enrolling = Stopwatch.StartNew();
        Console.WriteLine($"iotsync-fleet: enrolling {options.Devices} devices (reverse mode, through the API)");
        var devices = await FleetEnrolment.Enrol(options, target, directory, apis);
        var enrolSeconds = enrolling.Elapsed.TotalSeconds;
        var hocon = DeviceHocon.Load();
        await using var edges = await HeartbeatEdges.Start(options, target, devices, hocon);
        Console.WriteLine($"iotsync-fleet: {edges.Systems} edge system(s) ({options.Associations}); forming their associations");
        int?[] pids = target.Nodes.Count == 1 ? [options.MirrorPid ?? target.First.Pid] : [.. target.Nodes.Select(n => n.Pid)];
        var refusedBefore = await Refusals(apis, cancellationToken);
        ProcessSample?[] before = new ProcessSample?[pids.Length], after = new ProcessSample?[pids.Length];
        ProcessSample? ownBefore = null, ownAfter = null, databaseBefore = null, databaseAfter = null;
        ProcessSample?[] sshdBefore = [], sshdAfter = [];
        var run = new FleetRun(options, target, devices, api, hocon);
        var associated = await run.Associate(edges.Firsts, cancellationToken);
        Console.WriteLine($"iotsync-fleet: {edges.Systems} association(s) formed in {associated.TotalSeconds:0.0} s; running {options.Duration.TotalSeconds:0} s");
        await run.Run(() =>
        {
            before = [.. pids.Select(p => p is { } id ? ProcessSample.Of(id) : null)];
            ownBefore = ProcessSample.Of(Environment.ProcessId);
            databaseBefore = databasePid is { } server ? ProcessSample.OfTree(server) : null;
            sshdBefore = [.. sshdPids.Select(ProcessSample.OfTree)];
        }, () =>
        {
            after = [.. pids.Select(p => p is { } id ? ProcessSample.Of(id) : null)];
            ownAfter = ProcessSample.Of(Environment.ProcessId);
            databaseAfter = databasePid is { } server ? ProcessSample.OfTree(server) : null;
            sshdAfter = [.. sshdPids.Select(ProcessSample.OfTree)];
        }, cancellationToken);
        var check = options.Check ? await FleetCheck.Of(devices, apis, options.EnrolConcurrency) : null;
        Dictionary<string, long> refusedAfter;
        try
        {
            refusedAfter = await Refusals(apis, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            // The run's figures stand without the counters: say so rather than lose them.
            Console.Error.WriteLine($"iotsync-fleet: the mirror's refusal counters could not be read after the run ({e.Message}); reported as nothing");
            refusedAfter = refusedBefore;
        }
        var mirrorRefusals = new SortedDictionary<string, long>(refusedAfter
            .Select(r => (r.Key, Count: r.Value - refusedBefore.GetValueOrDefault(r.Key)))
            .Where(r => r.Count > 0)
            .ToDictionary(r => r.Key, r => r.Count), StringComparer.Ordinal);
        var seconds = options.Duration.TotalSeconds;
        var stats = run.Stats;
        var nodes = pids.Select((p, k) => p is { } id ? ProcessSample.Cost(id, before[k], after[k], seconds, options.Devices) : null).ToList();
        // The whole mirror: every node's cost added up (the nodes measured).
        var mirror = ProcessCost.Sum(nodes.OfType<ProcessCost>());
        // The simulator shares the machine with the mirror: what it spent says how much of the machine the mirror had.
        var simulator = ProcessSample.Cost(Environment.ProcessId, ownBefore, ownAfter, seconds, options.Devices);
        // The journal's server, when it is a process of its own: what a heartbeat or a sync costs the store.
        var database = databasePid is { } postmaster ? ProcessSample.Cost(postmaster, databaseBefore, databaseAfter, seconds, options.Devices) : null;
        // The mirror hosts' sshd with their sessions and relays: what a sync costs outside the node.
        var sshd = ProcessCost.Sum(sshdPids.Select((pid, k) => ProcessSample.Cost(pid, sshdBefore.ElementAtOrDefault(k), sshdAfter.ElementAtOrDefault(k), seconds, options.Devices))
            .OfType<ProcessCost>());
        return new FleetReport("fleet", DateTimeOffset.UtcNow, options.Devices, options.Cycle.TotalSeconds, options.WindowLimit.TotalSeconds, options.WorkFraction,
            options.CommandsPerWindow, seconds, options.Associations.ToString(), options.Associations.Describe(options.Devices), edges.Systems, associated.TotalSeconds, run.AssociationRetries, mirrorName, target.Nodes.Count, enrolSeconds,
            stats.Windows, stats.HeartbeatsAnswered, stats.HeartbeatsAnswered / seconds, stats.Syncs, stats.Syncs / seconds, stats.CommandsLeft,
            stats.HeartbeatLatency(), stats.WindowLength(), stats.SyncWindowLength(), new SortedDictionary<string, long>(stats.Errors, StringComparer.Ordinal), mirrorRefusals, new SortedDictionary<string, long>(edges.Refusals.Snapshot().ToDictionary(), StringComparer.Ordinal), mirror, nodes, MissedWindows.Of(devices), simulator, database, sshd, check,
            new { Environment.ProcessorCount, os = Environment.OSVersion.ToString(), dotnet = Environment.Version.ToString(), load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "" });
    }

    /// <summary>The refusal counters of every node that answers, added up (a node killed in the run counts for nothing after).</summary>
    private static async Task<Dictionary<string, long>> Refusals(IReadOnlyList<MirrorApiClient> apis, CancellationToken cancellationToken)
    {
        var sum = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var api in apis)
        {
            try
            {
                foreach (var (reason, count) in (await api.Refusals(cancellationToken)).Refusals)
                    sum[reason] = sum.GetValueOrDefault(reason) + count;
            }
            catch (HttpRequestException) when (apis.Count > 1)
            {
                // A node that is gone.
            }
        }
        return sum;
    }
}
