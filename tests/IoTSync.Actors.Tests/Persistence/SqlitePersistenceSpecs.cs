using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Data.Common;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit.Xunit2;
using IoTSync.Persistence;
using Microsoft.Data.Sqlite;
using Xunit;
using Xunit.Abstractions;

namespace IoTSync.Tests.Persistence;

/// <summary>
/// SqlitePersistence against real ActorSystems on real SQLite files: the pragmas reach every
/// connection the three plugins open, and what was persisted survives a restart.
/// </summary>
public sealed class SqlitePersistenceSpecs : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private static readonly Config TestConfig = ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.stdout-loglevel = WARNING
            """)
        .WithFallback(RecorderSerializer.Config);

    private readonly ITestOutputHelper _output;
    private readonly TempDatabase _database = new();
    private readonly List<TestKit> _kits = [];

    public SqlitePersistenceSpecs(ITestOutputHelper output) => _output = output;

    /// <summary>What the observer saw on one live plugin connection, right after the interceptor ran.</summary>
    private sealed record ObservedConnection(string PluginId, long Synchronous, string JournalMode, DbConnection Connection);

    [Theory]
    [InlineData(SqliteSynchronous.Normal, 1L)]
    [InlineData(SqliteSynchronous.Full, 2L)]
    public async Task Should_set_the_configured_synchronous_level_and_wal_on_every_connection_of_all_three_plugins(
        SqliteSynchronous level, long expectedPragmaValue)
    {
        var observed = new ConcurrentQueue<ObservedConnection>();
        using var witness = new Linq2DbConnectionWitness(_database.Path);
        var kit = StartSystem(level, (pluginId, connection) => observed.Enqueue(new ObservedConnection(
            pluginId,
            Convert.ToInt64(Pragma(connection, "synchronous")),
            Convert.ToString(Pragma(connection, "journal_mode")) ?? "",
            connection)));

        // Journal: two events; snapshot store: one snapshot; read journal: a query of the events.
        var recorder = kit.Sys.ActorOf(Recorder.Props("durability-1"));
        recorder.Tell(new Record("a"), kit.TestActor);
        kit.ExpectMsg(new Persisted("a", 1), Deadline);
        recorder.Tell(new Record("b"), kit.TestActor);
        kit.ExpectMsg(new Persisted("b", 2), Deadline);
        recorder.Tell(new TakeSnapshot(), kit.TestActor);
        kit.ExpectMsg(new SnapshotTaken(2), Deadline);

        var readJournal = PersistenceQuery.Get(kit.Sys).ReadJournalFor<SqlReadJournal>(SqlitePersistence.ReadJournalPluginId);
        var envelopes = await readJournal
            .CurrentEventsByPersistenceId("durability-1", 0, long.MaxValue)
            .RunWith(Sink.Seq<EventEnvelope>(), kit.Sys.Materializer())
            .WaitAsync(Deadline);
        Assert.Equal(["a", "b"], envelopes.Select(e => ((Recorded)e.Event).Value));

        // Stop everything first, so the comparison below is not racing a connection being opened.
        kit.Shutdown(Deadline, verifySystemShutdown: true);

        var seen = observed.ToArray();
        foreach (var pluginId in SqlitePersistence.PluginIds)
            Assert.Contains(seen, o => o.PluginId == pluginId);
        Assert.All(seen, o => Assert.Equal(expectedPragmaValue, o.Synchronous));
        Assert.All(seen, o => Assert.Equal("wal", o.JournalMode, ignoreCase: true));

        // Every connection linq2db opened or ran a command on for this file went through the interceptor.
        var prepared = seen.Select(o => o.Connection).ToHashSet(ReferenceEqualityComparer.Instance);
        var used = witness.Connections;
        _output.WriteLine($"{seen.Length} interceptor observations, {used.Count} connections seen by linq2db instrumentation");
        Assert.NotEmpty(used);
        Assert.All(used, c => Assert.Contains(c, prepared));
    }

    [Fact]
    public void Should_recover_persisted_events_and_snapshot_in_a_new_system_on_the_same_file()
    {
        var first = StartSystem(SqliteSynchronous.Full);
        var recorder = first.Sys.ActorOf(Recorder.Props("restart-1"));
        foreach (var (value, seqNr) in new[] { ("a", 1L), ("b", 2L) })
        {
            recorder.Tell(new Record(value), first.TestActor);
            first.ExpectMsg(new Persisted(value, seqNr), Deadline);
        }
        recorder.Tell(new TakeSnapshot(), first.TestActor);
        first.ExpectMsg(new SnapshotTaken(2), Deadline);
        recorder.Tell(new Record("c"), first.TestActor);
        first.ExpectMsg(new Persisted("c", 3), Deadline);
        first.Shutdown(Deadline, verifySystemShutdown: true);

        var second = StartSystem(SqliteSynchronous.Full);
        var recovered = second.Sys.ActorOf(Recorder.Props("restart-1"));
        recovered.Tell(new GetState(), second.TestActor);
        var state = second.ExpectMsg<RecorderState>(Deadline);
        Assert.Equal(["a", "b", "c"], state.Values);
        Assert.Equal(2, state.RecoveredFromSnapshotAt);

        // And it kept going from where it was: the next event is number 4.
        recovered.Tell(new Record("d"), second.TestActor);
        second.ExpectMsg(new Persisted("d", 4), Deadline);
        second.Shutdown(Deadline, verifySystemShutdown: true);

        // The plugins stored the payloads with the bound serializer, not Akka's JSON default.
        Assert.Equal(4L, _database.Scalar("SELECT COUNT(*) FROM journal WHERE persistence_id = 'restart-1'"));
        Assert.Equal(0L, _database.Scalar(
            $"SELECT COUNT(*) FROM journal WHERE persistence_id = 'restart-1' AND identifier <> {RecorderSerializer.Id}"));
        Assert.Equal((long)RecorderSerializer.Id, _database.Scalar(
            "SELECT serializer_id FROM snapshot WHERE persistence_id = 'restart-1'"));
        Assert.Equal("wal", _database.Scalar("PRAGMA journal_mode;"));
    }

    /// <summary>
    /// A device's journal recovers when its first heartbeat after a start arrives, while other journals write:
    /// recovery's reads (snapshot, highest sequence number, events) and the read journal must not queue on
    /// SQLite's write lock. Another connection holds that lock (BEGIN IMMEDIATE) for the whole spec; with
    /// reads begun IMMEDIATE each would wait out the busy timeout instead.
    /// </summary>
    [Fact]
    public async Task Should_recover_and_query_while_another_connection_holds_the_write_lock()
    {
        var kit = StartSystem(SqliteSynchronous.Full);
        var recorder = kit.Sys.ActorOf(Recorder.Props("locked-1"));
        recorder.Tell(new Record("a"), kit.TestActor);
        kit.ExpectMsg(new Persisted("a", 1), Deadline);
        recorder.Tell(new TakeSnapshot(), kit.TestActor);
        kit.ExpectMsg(new SnapshotTaken(1), Deadline);
        recorder.Tell(new Record("b"), kit.TestActor);
        kit.ExpectMsg(new Persisted("b", 2), Deadline);
        kit.Watch(recorder);
        kit.Sys.Stop(recorder);
        kit.ExpectTerminated(recorder, Deadline);
        // Used once before the lock: a plugin creates its tables on first use, which is a write.
        var readJournal = PersistenceQuery.Get(kit.Sys).ReadJournalFor<SqlReadJournal>(SqlitePersistence.ReadJournalPluginId);
        Task<IImmutableList<EventEnvelope>> Events() => readJournal
            .CurrentEventsByPersistenceId("locked-1", 0, long.MaxValue)
            .RunWith(Sink.Seq<EventEnvelope>(), kit.Sys.Materializer())
            .WaitAsync(Deadline);
        Assert.Equal(2, (await Events()).Count);

        using var writer = new SqliteConnection(SqlitePersistence.ConnectionString(_database.Path));
        writer.Open();
        using (var begin = writer.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            begin.ExecuteNonQuery();
        }
        try
        {
            // A new incarnation recovers: snapshot, highest sequence number, the event after the snapshot.
            var recovered = kit.Sys.ActorOf(Recorder.Props("locked-1"));
            recovered.Tell(new GetState(), kit.TestActor);
            var state = kit.ExpectMsg<RecorderState>(Deadline);
            Assert.Equal(["a", "b"], state.Values);
            Assert.Equal(1, state.RecoveredFromSnapshotAt);
            Assert.Equal(["a", "b"], (await Events()).Select(e => ((Recorded)e.Event).Value));
        }
        finally
        {
            using var rollback = writer.CreateCommand();
            rollback.CommandText = "ROLLBACK;";
            rollback.ExecuteNonQuery();
        }
    }

    public void Dispose()
    {
        try
        {
            foreach (var kit in _kits)
                kit.Dispose();
        }
        finally
        {
            _database.Dispose();
        }
    }

    private TestKit StartSystem(SqliteSynchronous level, Action<string, DbConnection>? observer = null)
    {
        var settings = new IoTSyncPersistenceSettings(_database.Path, level);
        var kit = new TestKit(
            SqlitePersistence.CreateActorSystemSetup(settings, TestConfig, observer),
            $"sqlite-persistence-{_kits.Count}",
            _output);
        _kits.Add(kit);
        return kit;
    }

    private static object? Pragma(DbConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        return command.ExecuteScalar();
    }
}
