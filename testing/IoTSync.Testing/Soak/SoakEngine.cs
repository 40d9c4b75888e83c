using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using IoTSync.Device;
using IoTSync.Mirror;
using IoTSync.Testing.Rig;
using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Resources;

namespace IoTSync.Testing.Soak;

/// <summary>
/// The nemesis soak (issue 11): both real nodes and the device's sshd on loopback with a short cycle,
/// the device's database on a small tmpfs; a <see cref="SoakDriver"/> leaving commands and property sets
/// at both sides while a <see cref="Nemesis"/> injects faults; then the faults stop, both sides get
/// time to converge with no help, and the logs, the ledger, the digests, <c>journal verify --against</c>
/// both ways and the mirror's word on the device are checked. The report says what failed, and its seed
/// reproduces the schedule of faults.
/// </summary>
public static class SoakEngine
{
    private const string QuickRestarts = """

        # The soak: journal actors restarted quickly after a failed write (a full disk), so healing is seen soon.
        iotsync.journal-restart { min-backoff = 200ms, max-backoff = 2s }

        """;

    /// <summary>Why a soak cannot run here (a tmpfs needs root on Linux), or null.</summary>
    public static string? Unavailable() => SmallDisk.Unavailable();

    public static async Task<SoakReport> Run(SoakOptions options)
    {
        var log = options.Log;
        var directory = options.Directory is { } given ? Directory.CreateDirectory(given).FullName : Directory.CreateTempSubdirectory("iotsync-soak-").FullName;
        log($"soak seed {options.Seed}: {options.Duration.TotalMinutes:0.#} min of faults, files in {directory}");
        SoakReport report;
        await using (var disk = await SmallDisk.Mount("64m"))
        {
            var deployment = await Deployment.Create(directory, NodeBinaries.Locate(), new DeploymentOptions
            {
                Period = options.Period, WindowLimit = options.WindowLimit, HeartbeatGiveUpAfter = options.WindowLimit * 3 / 4,
                DeviceDatabaseDirectory = disk.Directory,
            });
            try
            {
                await File.AppendAllTextAsync(deployment.DeviceConfig, QuickRestarts);
                await File.AppendAllTextAsync(deployment.MirrorConfig, QuickRestarts);
                report = await Run(options, deployment, disk, directory);
            }
            finally
            {
                await deployment.DisposeAsync();
            }
        }
        if (report.Passed && !options.Keep)
            TryDelete(directory);
        else
            report = report with { KeptIn = directory };
        foreach (var line in report.Lines())
            log(line);
        return report;
    }

    private static async Task<SoakReport> Run(SoakOptions options, Deployment deployment, SmallDisk disk, string directory)
    {
        var failures = new List<string>();
        await deployment.StartAll();
        var ledger = Path.Combine(directory, "ledger.txt");
        await File.WriteAllTextAsync(ledger, "");
        var driver = new SoakDriver(deployment, ledger, $"s{options.Seed.ToString(CultureInfo.InvariantCulture)}x", options.Pace);
        var nemesis = new Nemesis(deployment, disk, options);

        var ran = Stopwatch.StartNew();
        using (var stop = new CancellationTokenSource(options.Duration))
        {
            var driving = driver.Run(stop.Token);
            try
            {
                await nemesis.Run(stop.Token);
            }
            catch (Exception e)
            {
                // A node that would not come back is the finding itself: stop the driver and check what is there.
                failures.Add($"the nemesis could not undo a fault: {e.GetType().Name}: {e.Message}");
                await stop.CancelAsync();
            }
            await driving;
        }
        var minutes = ran.Elapsed.TotalMinutes;
        options.Log($"faults stopped after {minutes:0.0} min; {driver.Requests.Count} requests; letting both sides converge");

        var settle = Stopwatch.StartNew();
        var (settled, view) = await Settle(deployment, options.SettleWithin);
        double? settledSeconds = settled ? settle.Elapsed.TotalSeconds : null;
        if (!settled)
            failures.Add($"not converged within {options.SettleWithin.TotalSeconds:0} s of the faults stopping: {view}");

        var requests = driver.Requests;
        var ledgerLines = await File.ReadAllLinesAsync(ledger);
        var device = SoakLedgerCheck.Run("device journal", await Journal(deployment.DeviceCli, deployment.DeviceId), requests, ledgerLines);
        var mirror = SoakLedgerCheck.Run("mirror journal", await Journal(deployment.MirrorCli, deployment.DeviceId), requests, ledgerLines);
        failures.AddRange(device.Failures);
        failures.AddRange(mirror.Failures);
        failures.AddRange(await Verify(deployment));

        return new SoakReport
        {
            Seed = options.Seed,
            Minutes = minutes,
            Issued = device.Issued,
            RefusedFullDisk = requests.Count(r => r.RefusedByFullDisk),
            RefusedOtherwise = requests.Count(r => r.Answer == SoakAnswer.Refused && !r.RefusedByFullDisk),
            Reasons = requests.Where(r => r.Answer != SoakAnswer.Recorded)
                .GroupBy(r => $"{r.Side} {r.Answer}: {Shorten(r.Reason)}")
                .ToImmutableSortedDictionary(g => g.Key, g => g.Count()),
            UnansweredRecorded = device.UnansweredRecorded,
            UnansweredNotRecorded = device.UnansweredNotRecorded,
            Results = device.Results,
            Outcomes = device.Outcomes,
            LedgerLines = ledgerLines.Length,
            Nemesis = nemesis.Counts.ToImmutableSortedDictionary(c => c.Key.ToString(), c => c.Value),
            CutsMissed = nemesis.CutsMissed,
            SettledSeconds = settledSeconds,
            View = view,
            Failures = [.. failures],
            Schedule = [.. nemesis.Schedule],
        };
    }

    /// <summary>
    /// Waits for the end state no operator had to bring about: both sides holding the same logs and digest,
    /// nothing open on either side, the device "ok" or "dark" (between windows) at the mirror, so not late,
    /// failing, diverged, corrupt or mismatched, and
    /// its journal without a fault. What still differs when the deadline passes.
    /// </summary>
    private static async Task<(bool Settled, string View)> Settle(Deployment deployment, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        var last = "nothing heard from the nodes";
        while (deadline.Elapsed < within)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                using var api = MirrorApiClient.ForSocket(deployment.MirrorSocket);
                var state = await api.State(deployment.DeviceId, timeout.Token);
                var summary = await api.Device(deployment.DeviceId, timeout.Token);
                var status = await ControlSocketClient.Status(deployment.DeviceSocket, timeout.Token);
                var view = state.View.ToView();
                last = $"mirror holds {view} (device {summary.Status}, {state.OpenCommands.Count} open" +
                       $"{(state.Divergence ?? state.Corruption ?? state.Mismatch) switch { null => "", var why => $", {why}" }}); " +
                       $"device holds {status.View} ({status.OpenCommands} open{(status.JournalFault is null ? "" : $", journal fault {status.JournalFault}")})";
                if (view == status.View && state.OpenCommands.Count == 0 && status.OpenCommands == 0 && summary.Status is "ok" or "dark"
                    && state.Divergence is null && state.Corruption is null && state.Mismatch is null && status.JournalFault is null)
                    return (true, $"{view}, digest {view.StateDigest}");
            }
            catch (Exception e) when (e is IoTSync.Control.ControlSocketException or IOException or OperationCanceledException or HttpRequestException)
            {
                last = $"a node did not answer: {e.Message}";
            }
            await Task.Delay(500);
        }
        return (false, last);
    }

    private static async Task<IReadOnlyList<JsonElement>> Journal(Func<IEnumerable<string>, Task<Processes.CliRun>> cli, string device)
    {
        var shown = (await cli(["journal", "show", device, "--json", "--limit", "10000000"])).EnsureSuccess("journal show");
        return [.. shown.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    /// <summary><c>journal verify --against</c> from each side against the other's database.</summary>
    private static async Task<IEnumerable<string>> Verify(Deployment deployment)
    {
        var failures = new List<string>();
        var device = await deployment.DeviceCli(["journal", "verify", "--against", deployment.MirrorDatabase]);
        if (device.ExitCode != 0)
            failures.Add($"iotsync-device journal verify --against the mirror's database: {device}");
        var mirror = await deployment.MirrorCli(["journal", "verify", "--against", deployment.DeviceDatabase]);
        if (mirror.ExitCode != 0)
            failures.Add($"iotsync-mirror journal verify --against the device's database: {mirror}");
        return failures;
    }

    /// <summary>A reason without its varying parts (paths, numbers), so alike reasons count together.</summary>
    private static string Shorten(string? reason)
    {
        var words = System.Text.RegularExpressions.Regex.Replace(reason ?? "", @"(/[^\s:)]+)|\d+", "…");
        return words.Length <= 100 ? words : words[..100] + "…";
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A node's last write racing the delete; the temp directory goes with the machine.
        }
    }
}
