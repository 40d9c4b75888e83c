using System.Diagnostics;
using System.Text.Json;
using Akka.Actor;
using IoTSync.Inspection;
using IoTSync.Logs;
using IoTSync.Testing.Processes;
using static IoTSync.Logs.LogHolderMessages;

namespace IoTSync.Bench;

/// <summary>
/// Measures <c>journal verify</c> on a mirror journal of many entries written by a real
/// StateJournal: in process (the library alone) and through the real <c>iotsync-mirror</c>
/// executable (process start, ActorSystem, read, audit, exit).
/// </summary>
public sealed class VerifyBench(VerifyBenchOptions options)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public async Task<int> Run()
    {
        var keep = options.KeepDir is not null;
        var directory = options.KeepDir ?? Directory.CreateTempSubdirectory("iotsync-bench-verify-").FullName;
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "mirror.db");
        try
        {
            if (keep && File.Exists(path))
            {
                Console.WriteLine($"verify bench: reusing {path}");
            }
            else
            {
                var build = Stopwatch.StartNew();
                var view = await Build(path);
                Console.WriteLine($"verify bench: wrote {options.Entries:N0} entries with a StateJournal (snapshot every {options.SnapshotEvery}) in {build.Elapsed.TotalSeconds:N1} s: {view}");
            }
            Console.WriteLine($"  database {path}: {new FileInfo(path).Length / 1024.0 / 1024.0:N1} MiB");

            var inProcess = new List<double>();
            for (var run = 0; run < options.Runs; run++)
            {
                var watch = Stopwatch.StartNew();
                var result = await JournalVerification.Run(new VerifyRequest(NodeRole.Mirror, path, null, null, null));
                inProcess.Add(watch.Elapsed.TotalMilliseconds);
                if (!result.Holds)
                    throw new InvalidOperationException("the bench journal does not verify: " + string.Join("; ", result.Findings));
            }
            inProcess.Sort();
            Console.WriteLine($"  verify in process: median {inProcess[inProcess.Count / 2]:N0} ms (runs {string.Join(", ", inProcess.Select(r => r.ToString("N0")))})");

            var command = $"dotnet {options.MirrorExe} journal verify --db {path}";
            var executable = new List<double>();
            if (options.MirrorExe is not null)
            {
                for (var run = 0; run < options.Runs; run++)
                    executable.Add(RunExecutable(path));
                executable.Sort();
                Console.WriteLine($"  {command}: median {executable[executable.Count / 2]:N0} ms wall clock (runs {string.Join(", ", executable.Select(r => r.ToString("N0")))})");
            }

            var report = new
            {
                bench = "verify",
                at = DateTimeOffset.UtcNow,
                machine = new { Environment.ProcessorCount, os = Environment.OSVersion.ToString(), dotnet = Environment.Version.ToString() },
                options.Entries,
                options.SnapshotEvery,
                databaseBytes = new FileInfo(path).Length,
                inProcessMs = inProcess,
                command = options.MirrorExe is null ? null : command,
                executableMs = executable,
            };
            Directory.CreateDirectory(options.ResultsDir);
            var file = Path.Combine(options.ResultsDir, $"verify-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"  written to {file}");
            if (keep)
                Console.WriteLine($"  kept {path}");
            return 0;
        }
        finally
        {
            if (!keep)
                Directory.Delete(directory, recursive: true);
        }
    }

    private async Task<SyncView> Build(string path)
    {
        await using var node = JournalBench.Node.Start(path, options.SnapshotEvery);
        var journal = node.Journal();
        await JournalBench.Append(journal, JournalBench.DeviceEntries(options.Entries));
        return await journal.Ask<SyncView>(GetView.Instance, Timeout);
    }

    private double RunExecutable(string path)
    {
        var watch = Stopwatch.StartNew();
        var run = ProcessRunner.Run(["dotnet", options.MirrorExe!, "journal", "verify", "--db", path], Timeout).GetAwaiter().GetResult();
        var elapsed = watch.Elapsed.TotalMilliseconds;
        if (!run.Succeeded)
            throw new InvalidOperationException($"journal verify exited {run.ExitCode}: {run.Stdout}{run.Stderr}");
        return elapsed;
    }
}

/// <summary>What the verify bench runs.</summary>
public sealed record VerifyBenchOptions(string ResultsDir, int Entries, int SnapshotEvery, int Runs, string? KeepDir, string? MirrorExe);
