using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Persistence;
using IoTSync.Testing;
using Microsoft.Data.Sqlite;
using static IoTSync.Logs.LogHolderMessages;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Bench;

/// <summary>
/// Measures the SQLite journal as a StateJournal uses it: appends one by one and in batches, and
/// recovery of a device holding many entries with and without snapshots.
/// </summary>
public sealed class JournalBench(JournalBenchOptions options)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    internal static readonly DeviceId Device = new("bench-device");
    private readonly string _workDir = Directory.CreateTempSubdirectory("iotsync-bench-").FullName;

    public async Task<int> Run()
    {
        try
        {
            Console.WriteLine($"journal bench: {options.Entries:N0} entries for recovery, snapshot every {options.SnapshotEvery}, work dir {_workDir}");
            var single = await AppendOneByOne();
            Console.WriteLine($"  appends, one by one (SubmitCommand, persisted and acknowledged each): {single:N0} entries/s");
            var batched = await AppendBatched();
            Console.WriteLine($"  appends, batched ({options.BatchSize} entries per AppendDeviceEntries): {batched:N0} entries/s");
            var withSnapshots = await Recovery(options.SnapshotEvery, "with-snapshots", options.Entries);
            Console.WriteLine($"  recovery of {options.Entries:N0} entries, snapshot every {options.SnapshotEvery}, {withSnapshots.EventsAfterSnapshot} events after it: median {withSnapshots.MedianMs:N1} ms (runs {string.Join(", ", withSnapshots.RunsMs.Select(r => r.ToString("N1")))}), snapshot {withSnapshots.SnapshotBytes:N0} bytes, database {withSnapshots.DatabaseBytes:N0} bytes");
            var worstCase = options.Entries + options.SnapshotEvery - 1;
            var withSnapshotsTail = await Recovery(options.SnapshotEvery, "with-snapshots-tail", worstCase);
            Console.WriteLine($"  recovery of {worstCase:N0} entries, snapshot every {options.SnapshotEvery}, {withSnapshotsTail.EventsAfterSnapshot} events after it: median {withSnapshotsTail.MedianMs:N1} ms (runs {string.Join(", ", withSnapshotsTail.RunsMs.Select(r => r.ToString("N1")))})");
            var withoutSnapshots = await Recovery(int.MaxValue, "without-snapshots", options.Entries);
            Console.WriteLine($"  recovery of {options.Entries:N0} entries, no snapshots: median {withoutSnapshots.MedianMs:N1} ms (runs {string.Join(", ", withoutSnapshots.RunsMs.Select(r => r.ToString("N1")))})");
            var checkAlone = CheckAlone(options.Entries);
            Console.WriteLine($"  the recovery check alone (RecoveryCheck.Entry: hash recomputed, link checked) over {options.Entries:N0} entries: median {checkAlone.MedianMs:N1} ms wall, {checkAlone.CpuMedianMs:N1} ms of CPU");

            var report = new
            {
                bench = "journal",
                at = DateTimeOffset.UtcNow,
                machine = new { Environment.ProcessorCount, os = Environment.OSVersion.ToString(), dotnet = Environment.Version.ToString() },
                options,
                appendsPerSecondOneByOne = single,
                appendsPerSecondBatched = batched,
                recoveryWithSnapshots = withSnapshots,
                recoveryWithSnapshotsWorstCase = withSnapshotsTail,
                recoveryWithoutSnapshots = withoutSnapshots,
                recoveryCheckAlone = checkAlone,
            };
            Directory.CreateDirectory(options.ResultsDir);
            var file = Path.Combine(options.ResultsDir, $"journal-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"  written to {file}");
            return 0;
        }
        finally
        {
            Directory.Delete(_workDir, recursive: true);
        }
    }

    /// <summary>Only <see cref="CheckAlone"/>: what recovery's check costs, without the journal.</summary>
    public int RunCheckAlone()
    {
        var figures = CheckAlone(options.Entries);
        Console.WriteLine($"recovery check alone (RecoveryCheck.Entry: hash recomputed, link checked) over {options.Entries:N0} entries: median {figures.MedianMs:N1} ms wall " +
                          $"(runs {string.Join(", ", figures.RunsMs.Select(r => r.ToString("N1")))}), median {figures.CpuMedianMs:N1} ms of CPU " +
                          $"(runs {string.Join(", ", figures.CpuRunsMs.Select(r => r.ToString("N1")))})");
        Directory.Delete(_workDir, recursive: true);
        return 0;
    }

    /// <summary>
    /// What recovery's check adds (issue 11, fault 4): <see cref="RecoveryCheck.Entry"/> over every
    /// entry, in memory, the held positions advanced without applying the entries. Wall time and the
    /// process's CPU time (the loop is single-threaded; CPU time stays meaningful on a loaded machine).
    /// </summary>
    private CheckFigures CheckAlone(int entries)
    {
        var log = DeviceEntries(entries);
        var (wall, cpu) = (new List<double>(), new List<double>());
        for (var run = 0; run < options.RecoveryRuns; run++)
        {
            var logs = LogPair.Empty(Device);
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            foreach (var entry in log)
            {
                var check = RecoveryCheck.Entry(logs, entry);
                if (check.IsRejection)
                    throw new InvalidOperationException($"entry {entry.Sequence}: {check}");
                logs = logs with { DeviceLog = logs.DeviceLog.After(entry) };
            }
            wall.Add(watch.Elapsed.TotalMilliseconds);
            process.Refresh();
            cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
        }
        wall.Sort();
        cpu.Sort();
        return new CheckFigures(wall[wall.Count / 2], [.. wall], cpu[cpu.Count / 2], [.. cpu], entries);
    }

    private sealed record CheckFigures(double MedianMs, double[] RunsMs, double CpuMedianMs, double[] CpuRunsMs, int Entries);

    private async Task<double> AppendOneByOne()
    {
        await using var node = Node.Start(Path.Combine(_workDir, "single.db"), options.SnapshotEvery);
        var journal = node.Journal();
        await journal.Ask<Submitted>(new SubmitCommand(Device, ["set", "warm", "up"], "bench", null), Timeout);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < options.SingleAppends; i++)
            await journal.Ask<Submitted>(new SubmitCommand(Device, ["set", $"k{i % 50}", $"{i}"], "bench", null), Timeout);
        return options.SingleAppends / watch.Elapsed.TotalSeconds;
    }

    private async Task<double> AppendBatched()
    {
        await using var node = Node.Start(Path.Combine(_workDir, "batched.db"), options.SnapshotEvery);
        var journal = node.Journal();
        var entries = DeviceEntries(options.BatchedAppends);
        var watch = Stopwatch.StartNew();
        await Append(journal, entries);
        return options.BatchedAppends / watch.Elapsed.TotalSeconds;
    }

    private async Task<RecoveryFigures> Recovery(int snapshotEvery, string name, int entries)
    {
        var path = Path.Combine(_workDir, name + ".db");
        SyncView written;
        await using (var node = Node.Start(path, snapshotEvery))
        {
            var journal = node.Journal();
            await Append(journal, DeviceEntries(entries));
            written = await journal.Ask<SyncView>(GetView.Instance, Timeout);
            // Snapshots are saved asynchronously: wait for the last one due, or recovery would replay more than it should.
            var due = snapshotEvery == int.MaxValue ? 0 : entries - entries % snapshotEvery;
            await Polling.Until(() => Task.FromResult(LatestSnapshot(path) >= due), Timeout, $"the snapshot at {due} being saved");
        }

        var runs = new List<double>();
        for (var run = 0; run < options.RecoveryRuns; run++)
        {
            await using var node = Node.Start(path, snapshotEvery);
            var watch = Stopwatch.StartNew();
            var recovered = await node.Journal().Ask<SyncView>(GetView.Instance, Timeout);
            runs.Add(watch.Elapsed.TotalMilliseconds);
            if (recovered != written)
                throw new InvalidOperationException($"recovered {recovered}, wrote {written}");
        }
        runs.Sort();
        var eventsAfterSnapshot = snapshotEvery == int.MaxValue ? entries : entries % snapshotEvery;
        return new RecoveryFigures(runs[runs.Count / 2], [.. runs], eventsAfterSnapshot, SnapshotBytes(path), new FileInfo(path).Length);
    }

    internal static async Task Append(IActorRef journal, ImmutableArray<LogEntry> entries)
    {
        foreach (var batch in entries.Chunk(500))
        {
            var answer = await journal.Ask<AppendAnswer>(new AppendDeviceEntries(Device, [.. batch]), Timeout);
            if (answer.Verdict != Verdict.Appendable)
                throw new InvalidOperationException($"append refused: {answer.Check}");
        }
    }

    /// <summary>A device log as a busy device writes it: property changes, commands, and results with 1 KiB outputs.</summary>
    internal static ImmutableArray<LogEntry> DeviceEntries(int count)
    {
        var output = new string('o', 1024);
        var builder = ImmutableArray.CreateBuilder<LogEntry>(count);
        var position = LogPosition.Empty(Device, Origin.Device);
        for (var i = 0; i < count; i++)
        {
            var at = new HlcTimestamp(1_700_000_000_000 + i, 0);
            var entry = (i % 3) switch
            {
                0 => LogEntry.NewCommand(position, Origin.Device, at, "bench", ["set", $"sensor-{i % 20}", $"{i}"]),
                1 => LogEntry.NewCommand(position, Origin.Device, at, "bench", ["read-sensor", $"{i % 20}"]),
                _ => LogEntry.NewResult(position, at, "bench", new CommandRef(Origin.Device, i), new ResultFields(CommandOutcome.Executed, 0, output, false, 2)),
            };
            builder.Add(entry);
            position = position.After(entry);
        }
        return builder.MoveToImmutable();
    }

    private static long LatestSnapshot(string path) => Scalar(path, "SELECT COALESCE(MAX(sequence_number), 0) FROM snapshot");

    private static long SnapshotBytes(string path) => Scalar(path, "SELECT COALESCE(MAX(LENGTH(snapshot)), 0) FROM snapshot");

    private static long Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private sealed record RecoveryFigures(double MedianMs, double[] RunsMs, long EventsAfterSnapshot, long SnapshotBytes, long DatabaseBytes);

    /// <summary>One ActorSystem on one database file.</summary>
    internal sealed class Node(ActorSystem system, string path, int snapshotEvery) : IAsyncDisposable
    {
        public static Node Start(string path, int snapshotEvery)
        {
            var config = ConfigurationFactory.ParseString($$"""
                iotsync.persistence { database-path = "{{path}}", synchronous = FULL, snapshot-every = {{snapshotEvery}} }
                akka.loglevel = WARNING
                """);
            return new Node(ActorSystem.Create("bench", IoTSyncSystem.Setup(config)), path, snapshotEvery);
        }

        public IActorRef Journal() => system.ActorOf(StateJournal.Props(Device,
            new StateJournalSettings(1_000_000, 64 * 1024, new LogHolderSettings(snapshotEvery, SqlitePersistence.ReadJournalPluginId)),
            SystemWallClock.Instance), "journal");

        public async ValueTask DisposeAsync()
        {
            await system.Terminate();
            SqlitePersistence.ClearPool(path);
        }
    }
}

/// <summary>What the journal bench runs.</summary>
public sealed record JournalBenchOptions(string ResultsDir, int Entries, int SnapshotEvery, int SingleAppends, int BatchedAppends, int BatchSize, int RecoveryRuns);
