using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Persistence;
using Xunit;
using Xunit.Abstractions;
using static IoTSync.Logs.LogHolderMessages;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Inspection;

/// <summary>
/// <c>journal verify</c> through the real executable on 100,000 entries written by a StateJournal,
/// as <c>./iotsync bench verify</c> measures it (there in Release, with the figure in the README).
/// Here the bound is loose: the suite runs in Debug on a shared machine.
/// </summary>
[Collection(NodeJournalsCollection.Name)]
public sealed class LargeJournalSpecs(ITestOutputHelper output) : IDisposable
{
    private const int Entries = 100_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly SqliteTestDatabase _db = new("mirror");

    [Fact]
    public async Task Should_verify_a_journal_of_100_000_entries()
    {
        var device = new DeviceId("busy-device");
        var write = Stopwatch.StartNew();
        var system = _db.Start(snapshotEvery: 1000);
        var journal = system.ActorOf(StateJournal.Props(device, StateJournalSettings.Default with { Journal = _db.LogHolder(1000) }, SystemWallClock.Instance));
        foreach (var batch in DeviceEntries(device, Entries).Chunk(500))
            Assert.Equal(Verdict.Appendable, (await journal.Ask<AppendAnswer>(new AppendDeviceEntries(device, [.. batch]), Timeout)).Verdict);
        var view = await journal.Ask<SyncView>(GetView.Instance, Timeout);
        // The snapshot at the last event is saved asynchronously: stopping before it lands would leave the one at 99,000.
        await Polling.Until(() => Task.FromResult(LatestSnapshot() == Entries), Timeout);
        await SqliteTestDatabase.Stop(system);
        SqlitePersistence.ClearPool(_db.Path);
        output.WriteLine($"wrote {Entries:N0} entries in {write.Elapsed.TotalSeconds:N1} s");

        var verify = Stopwatch.StartNew();
        var run = await NodeCliRunner.Run(NodeCliRunner.Mirror, ["journal", "verify", "--db", _db.Path], timeout: TimeSpan.FromMinutes(3));
        output.WriteLine($"iotsync-mirror journal verify --db {_db.Path}: {verify.Elapsed.TotalSeconds:N1} s");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"device log {view.DeviceLog}", run.Stdout);
        Assert.Contains("100,000 events", run.Stdout);
        Assert.Contains("snapshot at event 100,000 matches the replay", run.Stdout);
    }

    private long LatestSnapshot() => _db.ReadNumber("SELECT COALESCE(MAX(sequence_number), 0) FROM snapshot");

    /// <summary>A busy device's log, as the journal bench writes it: property changes, commands, and results with 1 KiB outputs.</summary>
    private static ImmutableArray<LogEntry> DeviceEntries(DeviceId device, int count)
    {
        var output = new string('o', 1024);
        var builder = ImmutableArray.CreateBuilder<LogEntry>(count);
        var position = LogPosition.Empty(device, Origin.Device);
        for (var i = 0; i < count; i++)
        {
            var at = new HlcTimestamp(1_790_000_000_000 + i, 0);
            var entry = (i % 3) switch
            {
                0 => LogEntry.NewCommand(position, Origin.Device, at, "sensor", ["set", $"sensor-{i % 20}", $"{i}"]),
                1 => LogEntry.NewCommand(position, Origin.Device, at, "sensor", ["read-sensor", $"{i % 20}"]),
                _ => LogEntry.NewResult(position, at, "runner", new CommandRef(Origin.Device, i), new ResultFields(CommandOutcome.Executed, 0, output, false, 2)),
            };
            builder.Add(entry);
            position = position.After(entry);
        }
        return builder.MoveToImmutable();
    }

    public void Dispose() => _db.Dispose();
}
