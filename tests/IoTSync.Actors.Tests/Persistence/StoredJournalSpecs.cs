using Akka.Actor;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Serialization;
using Xunit;
using static IoTSync.Device.CommandRecorderMessages;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Persistence;

/// <summary>
/// What the actors leave in the SQLite file, read with the sqlite3 command-line tool a user
/// would use: our serializer and manifests only, no CLR type names.
/// </summary>
public sealed class StoredJournalSpecs : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly SqliteTestDatabase _db = new();

    [Fact]
    public async Task Should_store_events_and_snapshots_under_our_serializer_and_manifests_only()
    {
        var system = _db.Start(snapshotEvery: 2);
        var device = new DeviceId("dev-raw");
        var journal = system.ActorOf(StateJournal.Props(device, StateJournalSettings.Default with { Journal = _db.LogHolder(2) }, new FakeWallClock()), "journal");
        var recorder = system.ActorOf(CommandRecorder.Props(device,
            new CommandRecorderSettings("device", TimeSpan.FromSeconds(5), _db.LogHolder(2)), new FakeCommandRunner(), new FakeWallClock()), "recorder");
        await journal.Ask<Submitted>(new SubmitCommand(device, ["reboot"], "app", null), Timeout);
        await journal.Ask<Acknowledged>(new MarkDiverged(device, Origin.Device, Verdict.Fork, 1, "test"), Timeout);
        await recorder.Ask<CommandCompleted>(new RecordCommand(["uptime"], "operator"), Timeout);
        await Polling.Until(() => Task.FromResult(Sqlite("SELECT COUNT(*) FROM snapshot;").Trim() == "2"));
        await SqliteTestDatabase.Stop(system);

        var serializers = Sqlite("SELECT DISTINCT identifier FROM journal UNION SELECT DISTINCT serializer_id FROM snapshot;");
        var manifests = Sqlite("SELECT DISTINCT manifest FROM journal UNION SELECT DISTINCT manifest FROM snapshot ORDER BY 1;");
        var typeNames = Sqlite("SELECT COUNT(*) FROM journal WHERE CAST(message AS TEXT) LIKE '%$type%' OR CAST(message AS TEXT) LIKE '%IoTSync.%';");

        Assert.Equal([IoTSyncSerializer.Id.ToString()], Lines(serializers));
        Assert.Equal(["command-started", "divergence-detected", "entry-appended", "journal-state", "recorder-state"], Lines(manifests));
        Assert.Equal("0", typeNames.Trim());
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Runs the sqlite3 CLI read-only on the test database and returns what it printed.</summary>
    private string Sqlite(string sql) => Sqlite3.Run(_db.Path, sql, readOnly: true);

    public void Dispose() => _db.Dispose();
}
