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
        LocalMirror? local = null;
        try
        {
            if (options.LocalMirror)
            {
                Console.WriteLine("iotsync-fleet: starting a single mirror node (SQLite) and the mirror host's sshd on loopback");
                local = await LocalMirror.Start(options);
            }
            var target = local?.Target ?? options.Target!;
            var report = await Simulate(options, target, local is null ? "the mirror at " + target.HeartbeatAddress : "a single mirror node (SQLite) on loopback", stopping.Token);
            Console.Write(report.Table());
            var file = options.JsonFile ?? (options.ResultsDir is { } results
                ? Path.Combine(results, $"fleet-{(report.Associations.Replace(':', '-'))}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json")
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

    private static async Task<FleetReport> Simulate(FleetOptions options, MirrorTarget target, string mirrorName, CancellationToken cancellationToken)
    {
        // The devices' keys and certificates: beside the kept mirror, else in a directory of their own.
        var directory = options.KeepDir is { } keep ? Path.Combine(keep, "fleet-devices") : Directory.CreateTempSubdirectory("iotsync-fleet-devices-").FullName;
        Directory.CreateDirectory(directory);
        try
        {
            using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(target.FleetCaCertificate));
            using var api = MirrorApiClient.ForUrl(target.Api, target.ApiToken, ca, TimeSpan.FromSeconds(60));
            var enrolling = Stopwatch.StartNew();
            Console.WriteLine($"iotsync-fleet: enrolling {options.Devices} devices (reverse mode, through the API)");
            var devices = await FleetEnrolment.Enrol(options, target, directory, api);
            var enrolSeconds = enrolling.Elapsed.TotalSeconds;
            var hocon = DeviceHocon.Load();
            await using var edges = await HeartbeatEdges.Start(options, target, devices, hocon);
            Console.WriteLine($"iotsync-fleet: {edges.Systems} edge system(s) ({options.Associations}); forming their associations");
            var pid = options.MirrorPid ?? target.MirrorPid;
            var refusedBefore = (await api.Refusals(cancellationToken)).Refusals;
            ProcessSample? before = null, after = null, ownBefore = null, ownAfter = null;
            var run = new FleetRun(options, target, devices, api, hocon);
            var associated = await run.Associate(edges.Firsts, cancellationToken);
            Console.WriteLine($"iotsync-fleet: {edges.Systems} association(s) formed in {associated.TotalSeconds:0.0} s; running {options.Duration.TotalSeconds:0} s");
            await run.Run(() =>
            {
                before = pid is { } p ? ProcessSample.Of(p) : null;
                ownBefore = ProcessSample.Of(Environment.ProcessId);
            }, () =>
            {
                after = pid is { } p ? ProcessSample.Of(p) : null;
                ownAfter = ProcessSample.Of(Environment.ProcessId);
            }, cancellationToken);
            var check = options.Check ? await FleetCheck.Of(devices, api, options.EnrolConcurrency) : null;
            var refusedAfter = (await api.Refusals(cancellationToken)).Refusals;
            var mirrorRefusals = new SortedDictionary<string, long>(refusedAfter
                .Select(r => (r.Key, Count: r.Value - refusedBefore.GetValueOrDefault(r.Key)))
                .Where(r => r.Count > 0)
                .ToDictionary(r => r.Key, r => r.Count), StringComparer.Ordinal);
            var seconds = options.Duration.TotalSeconds;
            var stats = run.Stats;
            var thousands = options.Devices / 1000.0;
            var mirror = (pid, before, after) is ({ } id, { } first, { } last)
                ? new ProcessCost(id, last.CpuSeconds - first.CpuSeconds, (last.CpuSeconds - first.CpuSeconds) / seconds, (last.CpuSeconds - first.CpuSeconds) / thousands,
                    last.RssBytes, last.RssBytes / 1048576.0 / thousands)
                : null;
            // The simulator shares the machine with the mirror: what it spent says how much of the machine the mirror had.
            var simulator = (ownBefore, ownAfter) is ({ } start, { } end)
                ? new ProcessCost(Environment.ProcessId, end.CpuSeconds - start.CpuSeconds, (end.CpuSeconds - start.CpuSeconds) / seconds,
                    (end.CpuSeconds - start.CpuSeconds) / thousands, end.RssBytes, end.RssBytes / 1048576.0 / thousands)
                : null;
            return new FleetReport("fleet", DateTimeOffset.UtcNow, options.Devices, options.Cycle.TotalSeconds, options.WindowLimit.TotalSeconds, options.WorkFraction,
                options.CommandsPerWindow, seconds, options.Associations.ToString(), options.Associations.Describe(options.Devices), edges.Systems, associated.TotalSeconds, run.AssociationRetries, mirrorName, enrolSeconds,
                stats.Windows, stats.HeartbeatsAnswered, stats.HeartbeatsAnswered / seconds, stats.Syncs, stats.Syncs / seconds, stats.CommandsLeft,
                stats.HeartbeatLatency(), stats.WindowLength(), stats.SyncWindowLength(), new SortedDictionary<string, long>(stats.Errors, StringComparer.Ordinal), mirrorRefusals, new SortedDictionary<string, long>(edges.Refusals.Snapshot().ToDictionary(), StringComparer.Ordinal), mirror, simulator, check,
                new { Environment.ProcessorCount, os = Environment.OSVersion.ToString(), dotnet = Environment.Version.ToString(), load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "" });
        }
        finally
        {
            if (options.KeepDir is null)
                Directory.Delete(directory, recursive: true);
        }
    }
}
