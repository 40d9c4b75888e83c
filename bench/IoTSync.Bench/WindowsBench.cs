using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using IoTSync.Device;
using IoTSync.Mirror;
using IoTSync.TestBed;
using IoTSync.Testing;
using IoTSync.Testing.Rig;
using static IoTSync.Device.NetworkTogglerMessages;
using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Resources;

namespace IoTSync.Bench;

/// <summary>Options of <c>iotsync-bench windows</c>.</summary>
/// <param name="Network">The device's network mode: <c>ip</c> (link down between windows, the window firewall behind it) or <c>nft</c> (the firewall alone).</param>
/// <param name="Mode">
/// Who opens the session: <c>direct</c> (the mirror dials the device's sshd) or <c>reverse</c> (the device, behind the bed's
/// masquerading router, dials the mirror host's sshd; its network mode is then <c>nft</c>).
/// </param>
public sealed record WindowsBenchOptions(string ResultsDir, int Cycles, int Commands, TimeSpan Period, TimeSpan WindowLimit, string Network = "ip", string Mode = "direct");

/// <summary>One window as the device measured it, split into its parts (milliseconds).</summary>
public sealed record WindowParts(int Number, string Outcome, double Window, double Usable, double? Heartbeat, double? Connect, double? Exchange, double Down);

/// <summary>
/// <c>iotsync-bench windows</c>: the real nodes on the network-namespace test bed — the mirror in
/// its namespace, the device's sshd and node (toggler <c>ip</c> or <c>nft</c>, <c>--network</c>) in the device's — for N cycles in
/// each of three cases: nothing to sync, K mirror commands to deliver (each a trivial process), K
/// device entries to upload. Each window is split by the device's own clock into interface up
/// until usable, heartbeat, SSH connect (the mirror's session reaching the device's control
/// socket: TCP, key exchange, authentication, sshd's fork and the forced command's start; in reverse
/// mode the device's own dial to the mirror host's sshd and the relay's start there),
/// exchange (with the commands run in it), and interface down. The mirror's SSH steps and the
/// forced command's start-up are measured beside it.
/// </summary>
public sealed partial class WindowsBench(WindowsBenchOptions options)
{
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromMinutes(5);

    public async Task<int> Run()
    {
        if (NetnsTestBed.Unavailable() is { } reason)
        {
            Console.Error.WriteLine($"iotsync-bench: the network-namespace test bed cannot run here: {reason}");
            return 2;
        }
        var directory = Directory.CreateTempSubdirectory("iotsync-bench-windows-").FullName;
        var binaries = NodeBinaries.Locate();
        Console.WriteLine($"windows bench: {options.Cycles} cycles per case, {options.Commands} commands/entries, period {options.Period.TotalSeconds:0.###} s, " +
                          $"window limit {options.WindowLimit.TotalSeconds:0.###} s, network {options.Network}, mode {options.Mode}, sync-endpoint: {binaries.SyncEndpointKind}");
        var startup = await SyncEndpointStartup(binaries, directory);
        Console.WriteLine($"  sync-endpoint start-up (process start to control-socket connect, 10 runs): median {startup.Median:0.0} ms, worst {startup.Worst:0.0} ms");
        try
        {
            var reverse = options.Mode == "reverse";
            await using var bed = await NetnsTestBed.Create(1, behindNat: reverse);
            var deployment = await Deployment.Create(directory, binaries, new DeploymentOptions
            {
                DeviceId = "bench-device",
                Period = options.Period,
                WindowLimit = options.WindowLimit,
                Network = bed.NetworkFor(bed.Devices[0]) with { Mode = options.Network },
                Reverse = reverse,
            });
            await using (deployment)
            {
                await deployment.StartAll();
                // The first windows associate Akka.Remote and JIT both nodes' paths: not measured.
                await WaitForWindows(deployment, 2, _ => true);
                await LeaveCommands(deployment, -1);
                await WaitForWindows(deployment, 3, _ => true);
                await WriteEntries(deployment, -1);
                await WaitForWindows(deployment, 4, _ => true);
                // Measure "nothing to sync" from a window that had nothing to sync on.
                await WaitForWindows(deployment, 5, _ => true);
                var cases = new List<CaseResult>
                {
                    await Measure(deployment, "nothing to sync", _ => Task.CompletedTask, "nothing to sync"),
                    await Measure(deployment, $"{options.Commands} mirror commands", cycle => LeaveCommands(deployment, cycle), "synced"),
                    await Measure(deployment, $"{options.Commands} device entries", cycle => WriteEntries(deployment, cycle), "synced"),
                };
                var ssh = MirrorSshSteps(deployment.Mirror!.Output);
                Print(cases, ssh, startup);
                await Write(cases, ssh, startup, binaries);
            }
            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A node's last write racing the delete: the temp directory goes with the machine.
            }
        }
    }

    private sealed record CaseResult(string Name, IReadOnlyList<WindowParts> Windows, double CommandMsPerWindow);

    private sealed record Figures(double Median, double P95, double Worst);

    private sealed record StartupFigures(double Median, double Worst, IReadOnlyList<double> Runs);

    /// <summary>Runs <see cref="WindowsBenchOptions.Cycles"/> windows, preparing each during the dark period before it.</summary>
    private async Task<CaseResult> Measure(Deployment deployment, string name, Func<int, Task> prepare, string expectedOutcome)
    {
        var results = ResultLine().Matches(deployment.Device!.Output).Count;
        var windows = new List<WindowParts>();
        var deadline = Stopwatch.StartNew();
        for (var cycle = 0; cycle < options.Cycles; cycle++)
        {
            var closed = WindowClosedLine().Matches(deployment.Device.Output).Count;
            await prepare(cycle);
            var window = await WaitForWindows(deployment, closed + 1, w => w.Number > closed, deadline);
            windows.Add(Parts(window));
        }
        var commandMs = ResultLine().Matches(deployment.Device.Output).Skip(results).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        var expected = windows.Count(w => w.Outcome == expectedOutcome);
        Console.WriteLine($"  {name}: {windows.Count} windows, {expected} closed '{expectedOutcome}'" +
                          (expected == windows.Count ? "" : $"; others: {string.Join(", ", windows.Where(w => w.Outcome != expectedOutcome).Select(w => $"{w.Number} '{w.Outcome}'"))}"));
        return new CaseResult(name, windows, commandMs / windows.Count);
    }

    /// <summary>Waits until the device has closed <paramref name="count"/> windows in this run; the last one.</summary>
    private static async Task<WindowClosed> WaitForWindows(Deployment deployment, int count, Func<WindowClosed, bool> wanted, Stopwatch? deadline = null)
    {
        deadline ??= Stopwatch.StartNew();
        await Polling.Until(() => Task.FromResult(WindowClosedLine().Matches(deployment.Device!.Output).Count >= count), CaseTimeout - deadline.Elapsed,
            $"the device closing window {count}");
        var status = await ControlSocketClient.Status(deployment.DeviceSocket, CancellationToken.None);
        return status.Cycle.Recent.Last(wanted);
    }

    private async Task LeaveCommands(Deployment deployment, int cycle)
    {
        using var api = MirrorApiClient.ForSocket(deployment.MirrorSocket);
        for (var i = 0; i < options.Commands; i++)
            await api.Submit(deployment.DeviceId, new SubmitCommandRequest(["true"]));
    }

    private async Task WriteEntries(Deployment deployment, int cycle)
    {
        for (var i = 0; i < options.Commands; i++)
            await ControlSocketClient.Exec(deployment.DeviceSocket, ["set", $"bench-{i}", $"cycle-{cycle}"], "bench", CancellationToken.None);
    }

    private static WindowParts Parts(WindowClosed w)
    {
        static double Ms(TimeSpan t) => t.TotalMilliseconds;
        var closing = w.ClosingAfter ?? w.Duration;
        return new WindowParts(w.Number, w.Outcome, Ms(w.Duration), Ms(w.UsableAfter),
            w.AnsweredAfter is { } answered ? Ms(answered - w.UsableAfter) : null,
            w.SessionStartedAfter is { } started && w.AnsweredAfter is { } a ? Ms(started - a) : null,
            w.SessionEndedAfter is { } ended && w.SessionStartedAfter is { } s ? Ms(ended - s) : null,
            Ms(w.Duration - closing));
    }

    /// <summary>The mirror's SSH steps per session, from its log: (banner, host key verified, authenticated, command started) in ms from the connect.</summary>
    private static IReadOnlyList<double[]> MirrorSshSteps(string mirrorLog) =>
        [.. OpenedLine().Matches(mirrorLog).Select(m => Enumerable.Range(1, 4).Select(g => double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture)).ToArray())];

    /// <summary>How long the forced command takes from process start to its connect on the control socket.</summary>
    private static async Task<StartupFigures> SyncEndpointStartup(NodeBinaries binaries, string directory)
    {
        var path = Path.Combine(directory, "startup.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(4);
        var runs = new List<double>();
        for (var run = 0; run < 10; run++)
        {
            var (file, arguments) = binaries.SyncEndpoint(path, TimeSpan.FromSeconds(10));
            var start = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
                start.ArgumentList.Add(argument);
            var watch = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
            using var accepted = await listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(30));
            runs.Add(watch.Elapsed.TotalMilliseconds);
            accepted.Close();
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
                process.Kill(entireProcessTree: true);
        }
        runs.Sort();
        return new StartupFigures(runs[runs.Count / 2], runs[^1], runs);
    }

    private static Figures Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
            return new Figures(double.NaN, double.NaN, double.NaN);
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new Figures(At(0.5), At(0.95), sorted[^1]);
    }

    private void Print(IReadOnlyList<CaseResult> cases, IReadOnlyList<double[]> ssh, StartupFigures startup)
    {
        Console.WriteLine();
        Console.WriteLine($"{"case",-22} {"window median",14} {"p95",8} {"worst",8} | medians: {"usable",7} {"heartbeat",9} {"ssh connect",11} {"exchange",9} {"commands",9} {"down",6} | exposure");
        foreach (var c in cases)
        {
            var window = Of(c.Windows.Select(w => w.Window));
            string Median(Func<WindowParts, double?> part) =>
                c.Windows.Select(part).OfType<double>().ToArray() is { Length: > 0 } values ? $"{Of(values).Median,7:0.0}" : "      -";
            Console.WriteLine($"{c.Name,-22} {window.Median,11:0.0} ms {window.P95,8:0.0} {window.Worst,8:0.0} | {"",9}{Median(w => w.Usable)} {Median(w => w.Heartbeat),9} {Median(w => w.Connect),11} " +
                              $"{Median(w => w.Exchange),9} {c.CommandMsPerWindow,9:0.0} {Median(w => w.Down),6} | {window.Median / options.Period.TotalMilliseconds:P2} " +
                              $"(at 60 s: {window.Median / 60_000:P3})");
        }
        if (ssh.Count > 0)
        {
            var banner = Of(ssh.Select(s => s[0]));
            var kex = Of(ssh.Select(s => s[1] - s[0]));
            var auth = Of(ssh.Select(s => s[2] - s[1]));
            var exec = Of(ssh.Select(s => s[3] - s[2]));
            var total = Of(ssh.Select(s => s[3]));
            Console.WriteLine($"mirror's SSH open, {ssh.Count} sessions, medians: TCP + banner {banner.Median:0} ms, key exchange {kex.Median:0} ms, " +
                              $"authentication {auth.Median:0} ms, channel + exec {exec.Median:0} ms; open {total.Median:0} ms (p95 {total.P95:0})");
        }
        Console.WriteLine($"sync-endpoint start-up: median {startup.Median:0.0} ms (part of 'ssh connect')");
        Console.WriteLine("all times in ms on the device's monotonic clock; 'commands' is the sum of the delivered commands' own run times per window (inside 'exchange')");
    }

    private async Task Write(IReadOnlyList<CaseResult> cases, IReadOnlyList<double[]> ssh, StartupFigures startup, NodeBinaries binaries)
    {
        Directory.CreateDirectory(options.ResultsDir);
        var report = new
        {
            bench = "windows",
            at = DateTime.UtcNow,
            machine = new { Environment.ProcessorCount, os = Environment.OSVersion.VersionString, load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "" },
            options = new { options.Cycles, options.Commands, periodMs = options.Period.TotalMilliseconds, windowLimitMs = options.WindowLimit.TotalMilliseconds, network = options.Network, mode = options.Mode },
            syncEndpoint = new { kind = binaries.SyncEndpointKind, startupMedianMs = startup.Median, startupWorstMs = startup.Worst, startupRunsMs = startup.Runs },
            cases = cases.Select(c => new
            {
                c.Name,
                window = Of(c.Windows.Select(w => w.Window)),
                usable = Of(c.Windows.Select(w => w.Usable)),
                heartbeat = Of(c.Windows.Select(w => w.Heartbeat).OfType<double>()),
                sshConnect = Of(c.Windows.Select(w => w.Connect).OfType<double>()),
                exchange = Of(c.Windows.Select(w => w.Exchange).OfType<double>()),
                down = Of(c.Windows.Select(w => w.Down)),
                commandMsPerWindow = c.CommandMsPerWindow,
                exposure = Of(c.Windows.Select(w => w.Window)).Median / options.Period.TotalMilliseconds,
                exposureAt60s = Of(c.Windows.Select(w => w.Window)).Median / 60_000,
                c.Windows,
            }),
            mirrorSsh = ssh.Count == 0 ? null : new
            {
                sessions = ssh.Count,
                tcpAndBanner = Of(ssh.Select(s => s[0])),
                keyExchange = Of(ssh.Select(s => s[1] - s[0])),
                authentication = Of(ssh.Select(s => s[2] - s[1])),
                channelAndExec = Of(ssh.Select(s => s[3] - s[2])),
                open = Of(ssh.Select(s => s[3])),
            },
        };
        var file = Path.Combine(options.ResultsDir, $"windows-{options.Network}{(options.Mode == "reverse" ? "-reverse" : "")}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        Console.WriteLine($"wrote {file}");
    }

    [GeneratedRegex(@"\] window \d+ closed after")]
    private static partial Regex WindowClosedLine();

    [GeneratedRegex(@"\] result of m\d+: \w+, exit -?\d+, (\d+) ms")]
    private static partial Regex ResultLine();

    [GeneratedRegex(@"opened in \d+ ms \(banner (\d+), host key (\d+), authenticated (\d+), command started (\d+) ms")]
    private static partial Regex OpenedLine();
}
