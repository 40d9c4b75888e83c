using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Query;
using Akka.Persistence.Sql;
using Akka.Streams;
using Akka.Streams.Dsl;
using IoTSync.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace IoTSync.Inspection;

/// <summary>
/// A node's journal opened for reading only — its SQLite file, or a mirror's PostgreSQL database — through
/// Akka.Persistence.Query (the SQL read journal: current persistence ids, current events by persistence id)
/// and the SQL snapshot store.
/// </summary>
/// <remarks>
/// Safe beside a running node and on a stopped node's store: all three plugins run with
/// <c>auto-initialize = off</c> (no CREATE TABLE — the read journal starts its write plugin too), no
/// durability interceptor runs its pragmas, and a store without a journal table is a clear error before
/// any plugin opens it. SQLite: every plugin connection opens the file with <c>Mode=ReadOnly</c> (SQLite
/// refuses any write, and never creates a missing file), a missing file is refused first; in WAL mode readers
/// never block the writer, and a reader only holds a snapshot of the WAL for the length of one page query.
/// PostgreSQL: every connection starts with <c>default_transaction_read_only = on</c>, so the server refuses
/// any write; MVCC readers never block the writers.
/// </remarks>
public sealed class ReadOnlyJournal : IAsyncDisposable
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    private readonly ActorSystem _system;
    private readonly ICurrentPersistenceIdsQuery _ids;
    private readonly ICurrentEventsByPersistenceIdQuery _events;
    private readonly IMaterializer _materializer;
    private readonly bool _hasSnapshotTable;
    private readonly PostgresSettings? _postgres;

    private ReadOnlyJournal(string location, ActorSystem system, bool hasSnapshotTable, PostgresSettings? postgres)
    {
        DatabasePath = location;
        _system = system;
        _hasSnapshotTable = hasSnapshotTable;
        _postgres = postgres;
        var query = PersistenceQuery.Get(system);
        _ids = query.ReadJournalFor<ICurrentPersistenceIdsQuery>(SqlitePersistence.ReadJournalPluginId);
        _events = query.ReadJournalFor<ICurrentEventsByPersistenceIdQuery>(SqlitePersistence.ReadJournalPluginId);
        _materializer = system.Materializer();
    }

    /// <summary>
    /// Where the journal is: the absolute path of the SQLite file, or the PostgreSQL database as
    /// <c>postgresql://USER@HOST:PORT/DATABASE</c> (never the password).
    /// </summary>
    public string DatabasePath { get; }

    /// <summary>Whether this is a PostgreSQL journal (else a SQLite file).</summary>
    public bool IsPostgres => _postgres is not null;

    /// <summary>
    /// The connection string every plugin uses: read-only, never creating the file, pooled (the
    /// read journal opens a connection per page).
    /// </summary>
    public static string ConnectionString(string databasePath) => new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = SqliteOpenMode.ReadOnly,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
    }.ToString();

    /// <summary>
    /// The PostgreSQL connection string every plugin uses: the node's, with every transaction read-only
    /// (the server refuses any write on it).
    /// </summary>
    public static string ConnectionString(PostgresSettings postgres) => new NpgsqlConnectionStringBuilder(postgres.ConnectionString)
    {
        Options = "-c default_transaction_read_only=on",
    }.ConnectionString;

    /// <summary>
    /// The read-only persistence configuration: the three Akka.Persistence.Sql plugins on
    /// <paramref name="databasePath"/> with <c>auto-initialize = off</c>, the tolerant serializer,
    /// and Akka's own logging off (stdout belongs to the command's output).
    /// </summary>
    public static Config Hocon(string databasePath) => Hocon(ConnectionString(databasePath), SqlitePersistence.ProviderName);

    /// <summary>The read-only persistence configuration, as <see cref="Hocon(string)"/>, on a PostgreSQL journal.</summary>
    public static Config Hocon(PostgresSettings postgres) => Hocon(ConnectionString(postgres), PostgresPersistence.ProviderName);

    private static Config Hocon(string connectionString, string providerName)
    {
        var cs = Quote(connectionString);
        var provider = Quote(providerName);
        return ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = OFF
              stdout-loglevel = OFF
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              persistence {
                journal {
                  plugin = {{Quote(SqlitePersistence.JournalPluginId)}}
                  sql {
                    plugin-id = {{Quote(SqlitePersistence.JournalPluginId)}}
                    connection-string = {{cs}}
                    provider-name = {{provider}}
                    auto-initialize = off
                    warn-on-auto-init-fail = off
                  }
                }
                snapshot-store {
                  plugin = {{Quote(SqlitePersistence.SnapshotStorePluginId)}}
                  sql {
                    plugin-id = {{Quote(SqlitePersistence.SnapshotStorePluginId)}}
                    connection-string = {{cs}}
                    provider-name = {{provider}}
                    auto-initialize = off
                    warn-on-auto-init-fail = off
                  }
                }
                query.journal.sql {
                  plugin-id = {{Quote(SqlitePersistence.ReadJournalPluginId)}}
                  connection-string = {{cs}}
                  provider-name = {{provider}}
                  write-plugin = {{Quote(SqlitePersistence.JournalPluginId)}}
                  # Events per page: larger pages mean fewer queries over a long journal.
                  max-buffer-size = 5000
                  
                }
              }
            }
            """)
            .WithFallback(ConfigurationFactory.ParseString(TolerantIoTSyncSerializer.Hocon))
            .WithFallback(SqlPersistence.DefaultConfiguration);
    }

    /// <summary>
    /// Opens the journal <paramref name="settings"/> name for reading: the PostgreSQL database when they
    /// chose it, else their SQLite file (<see cref="Open(string)"/>).
    /// </summary>
    public static ReadOnlyJournal Open(IoTSyncPersistenceSettings settings) =>
        settings.Postgres is { } postgres ? Open(postgres) : Open(settings.DatabasePath);

    /// <summary>
    /// Opens <paramref name="databasePath"/> for reading. A missing file, a directory, a file that
    /// is not SQLite, or a database without a journal table is an <see cref="InspectionException"/>;
    /// nothing is created.
    /// </summary>
    public static ReadOnlyJournal Open(string databasePath)
    {
        var path = Path.GetFullPath(databasePath);
        if (Directory.Exists(path))
            throw new InspectionException($"{path} is a directory, not a journal database");
        if (!File.Exists(path))
            throw new InspectionException($"no database at {path}: nothing has been written there yet (point --db or --config at the node's database)");
        var hasSnapshotTable = ProbeSchema(path);
        return Start(path, Hocon(path), hasSnapshotTable, null, SqliteConnection.ClearAllPools);
    }

    /// <summary>
    /// Opens a PostgreSQL journal for reading. A server out of reach, refused credentials, a missing
    /// database, or a database without a journal table is an <see cref="InspectionException"/> naming the
    /// server (never the password); nothing is created.
    /// </summary>
    public static ReadOnlyJournal Open(PostgresSettings postgres)
    {
        var hasSnapshotTable = ProbeSchema(postgres);
        return Start(postgres.Description, Hocon(postgres), hasSnapshotTable, postgres, NpgsqlConnection.ClearAllPools);
    }

    private static ReadOnlyJournal Start(string location, Config hocon, bool hasSnapshotTable, PostgresSettings? postgres, Action clearPools)
    {
        var system = ActorSystem.Create("iotsync-journal-inspection", BootstrapSetup.Create().WithConfig(hocon));
        try
        {
            return new ReadOnlyJournal(location, system, hasSnapshotTable, postgres);
        }
        catch (Exception e)
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
            clearPools();
            throw new InspectionException($"cannot read the journal in {location}: {e.GetBaseException().Message}", e);
        }
    }

    /// <summary>
    /// Checks the file is a SQLite database with a journal table, on a read-only connection of its
    /// own. It reads the schema only (sqlite_master), never the journal's rows.
    /// </summary>
    /// <returns>Whether the snapshot table exists (a node that never snapshotted may lack it).</returns>
    private static bool ProbeSchema(string path)
    {
        var tables = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadOnly,
                Pooling = false,
            }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            using var reader = command.ExecuteReader();
            while (reader.Read())
                tables.Add(reader.GetString(0));
        }
        catch (SqliteException e)
        {
            throw new InspectionException($"{path} is not a readable SQLite database: {e.Message}", e);
        }
        if (!tables.Contains("journal"))
            throw new InspectionException($"{path} holds no journal table: not an IoTSync node's database");
        return tables.Contains("snapshot");
    }

    /// <summary>
    /// The PostgreSQL counterpart of <see cref="ProbeSchema(string)"/>: the server answers, and the tables the
    /// connection's search path reaches include a journal. Reads the catalogue only, on a read-only connection of its own.
    /// </summary>
    private static bool ProbeSchema(PostgresSettings postgres)
    {
        if (PostgresDatabase.Problem(postgres) is { } problem)
            throw new InspectionException($"cannot read the journal in {postgres.Description}: {problem}");
        var tables = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString(postgres)) { Pooling = false }.ConnectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT table_name FROM information_schema.tables WHERE table_schema = ANY (current_schemas(false))";
            using var reader = command.ExecuteReader();
            while (reader.Read())
                tables.Add(reader.GetString(0));
        }
        catch (NpgsqlException e)
        {
            throw new InspectionException($"cannot read the journal in {postgres.Description}: {e.Message}", e);
        }
        if (!tables.Contains("journal"))
            throw new InspectionException($"{postgres.Description} holds no journal table: not an IoTSync mirror's database (or nothing has been written there yet)");
        return tables.Contains("snapshot");
    }

    /// <summary>Every persistence id that has events.</summary>
    public async Task<IReadOnlyList<string>> PersistenceIds(CancellationToken cancellationToken = default)
    {
        var ids = await _ids.CurrentPersistenceIds().RunWith(Sink.Seq<string>(), _materializer).WaitAsync(cancellationToken);
        return [.. ids.Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The events of one persistent actor from <paramref name="fromSequenceNr"/> up to its highest
    /// sequence number when the read starts, in journal order. A long journal is read in ranges of
    /// <see cref="RangeSize"/> events, a few ranges at once (each a current-events query decoding on
    /// its own), and handed out in order.
    /// </summary>
    public async IAsyncEnumerable<StoredEvent> Events(string persistenceId, long fromSequenceNr = 1,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var highest = await HighestSequenceNr(persistenceId, cancellationToken);
        var from = Math.Max(1, fromSequenceNr);
        if (highest < from)
            yield break;
        // A payload stored as anything but bytes fails the plugin's whole query: read around it and hand it over undecodable.
        var misstored = MisstoredPayloads(persistenceId, from, highest);
        var ranges = new List<(long From, long To)>();
        for (var start = from; start <= highest; start += RangeSize)
            ranges.AddRange(Around(start, Math.Min(highest, start + RangeSize - 1), misstored.Keys));
        var source = Source.From(ranges)
            .SelectAsync(Parallelism, range => misstored.TryGetValue(range.From, out var bad) && range.To == range.From
                ? Task.FromResult<IImmutableList<StoredEvent>>(ImmutableList.Create(bad))
                : _events.CurrentEventsByPersistenceId(persistenceId, range.From, range.To)
                    .Select(envelope => new StoredEvent(envelope.SequenceNr, envelope.Timestamp, envelope.Event))
                    .RunWith(Sink.Seq<StoredEvent>(), _materializer))
            .SelectMany(events => events);
        await foreach (var stored in source.RunAsAsyncEnumerable(_materializer).WithCancellation(cancellationToken))
            yield return stored;
    }

    /// <summary>The range split so that each misstored event is a range of its own.</summary>
    private static IEnumerable<(long From, long To)> Around(long from, long to, IEnumerable<long> misstored)
    {
        var start = from;
        foreach (var bad in misstored.Where(b => b >= from && b <= to).Order())
        {
            if (bad > start)
                yield return (start, bad - 1);
            yield return (bad, bad);
            start = bad + 1;
        }
        if (start <= to)
            yield return (start, to);
    }

    /// <summary>
    /// Events whose payload column holds text (or anything but a blob), read straight from the table
    /// on a read-only connection, each as an <see cref="UndecodablePayload"/> with its bytes.
    /// </summary>
    private Dictionary<long, StoredEvent> MisstoredPayloads(string persistenceId, long from, long to)
    {
        var found = new Dictionary<long, StoredEvent>();
        // PostgreSQL's payload column is bytea: it holds bytes or nothing.
        if (_postgres is not null)
            return found;
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence_number, created, COALESCE(manifest, ''), typeof(message), CAST(message AS BLOB) FROM journal " +
                              "WHERE persistence_id = $id AND sequence_number BETWEEN $from AND $to AND typeof(message) <> 'blob' ORDER BY sequence_number";
        command.Parameters.AddWithValue("$id", persistenceId);
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", to);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var bytes = reader.IsDBNull(4) ? [] : (byte[])reader.GetValue(4);
            var sequenceNr = reader.GetInt64(0);
            found[sequenceNr] = new StoredEvent(sequenceNr, reader.GetInt64(1),
                new UndecodablePayload(reader.GetString(2), bytes, $"the payload is stored as {reader.GetString(3)}, not as bytes"));
        }
        return found;
    }

    /// <summary>Events per range query.</summary>
    public const int RangeSize = 5000;

    // One range more than there are cores: the reader of the ranges in hand never waits for the next.
    private static int Parallelism => Math.Clamp(Environment.ProcessorCount + 1, 2, 4);

    /// <summary>
    /// The highest sequence number the journal holds for <paramref name="persistenceId"/> (0 when
    /// none), asked of the journal plugin the way recovery asks it: a replay of nothing.
    /// </summary>
    public async Task<long> HighestSequenceNr(string persistenceId, CancellationToken cancellationToken = default)
    {
        var plugin = Akka.Persistence.Persistence.Instance.Apply(_system).JournalFor(null);
        var answer = await plugin.Ask<object>(replyTo => new ReplayMessages(1, 0, 0, persistenceId, replyTo), AskTimeout, cancellationToken);
        return answer switch
        {
            RecoverySuccess success => success.HighestSequenceNr,
            ReplayMessagesFailure failure => throw new InspectionException(
                $"cannot read the journal of {persistenceId}: {failure.Cause.GetBaseException().Message}", failure.Cause),
            _ => throw new InspectionException($"the journal answered {answer.GetType().Name} for {persistenceId}"),
        };
    }

    /// <summary>The latest snapshot of one persistent actor, through the snapshot-store plugin; null when it has none.</summary>
    public async Task<StoredSnapshot?> LatestSnapshot(string persistenceId, CancellationToken cancellationToken = default)
    {
        if (!_hasSnapshotTable)
            return null;
        var store = Akka.Persistence.Persistence.Instance.Apply(_system).SnapshotStoreFor(null);
        var answer = await store.Ask(new LoadSnapshot(persistenceId, SnapshotSelectionCriteria.Latest, long.MaxValue), AskTimeout, cancellationToken);
        return answer switch
        {
            LoadSnapshotResult { Snapshot: null } => null,
            LoadSnapshotResult { Snapshot: { } selected } => new StoredSnapshot(selected.Metadata.SequenceNr,
                new DateTimeOffset(DateTime.SpecifyKind(selected.Metadata.Timestamp, DateTimeKind.Utc)), selected.Snapshot),
            LoadSnapshotFailed failed => throw new InspectionException(
                $"cannot read the snapshot of {persistenceId}: {failed.Cause.GetBaseException().Message}", failed.Cause),
            _ => throw new InspectionException($"the snapshot store answered {answer.GetType().Name} for {persistenceId}"),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _system.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        if (_postgres is not null)
        {
            using var connection = new NpgsqlConnection(ConnectionString(_postgres));
            NpgsqlConnection.ClearPool(connection);
        }
        else
        {
            using var connection = new SqliteConnection(ConnectionString(DatabasePath));
            SqliteConnection.ClearPool(connection);
        }
    }

    private static string Quote(string value) => HoconText.Quote(value);
}
