using Akka.Actor;
using Akka.Configuration;
using IoTSync.Logs;
using IoTSync.Persistence;
using Npgsql;

namespace IoTSync.Testing.Persistence;

/// <summary>
/// A fresh database on a <see cref="PrivatePostgres"/> for one test, with its connection string in an
/// owner-only file (as a mirror's configuration names it) and ActorSystems started on it. Disposing
/// terminates the systems and drops the database.
/// </summary>
public sealed class PostgresTestDatabase : IJournalTestStore
{
    private readonly PrivatePostgres _server;
    private readonly List<ActorSystem> _systems = [];

    internal PostgresTestDatabase(PrivatePostgres server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = server.ConnectionString(name);
        Directory = System.IO.Directory.CreateTempSubdirectory("iotsync-pgtest-").FullName;
        ConnectionStringFile = System.IO.Path.Combine(Directory, "postgresql.connection");
        File.WriteAllText(ConnectionStringFile, ConnectionString + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(ConnectionStringFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Settings = new PostgresSettings(ConnectionString, ConnectionStringFile);
    }

    public string Provider => "postgresql";

    /// <summary>The database's name on the server.</summary>
    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>A temp directory of the test's own: the connection string file, and the SQLite path the node keeps for its lock.</summary>
    public string Directory { get; }

    /// <summary>The owner-only file holding <see cref="ConnectionString"/>.</summary>
    public string ConnectionStringFile { get; }

    public PostgresSettings Settings { get; }

    /// <summary>IOTSYNC_TEST_LOGLEVEL=INFO shows the actors' log lines when a test needs looking into.</summary>
    private static string LogLevel => Environment.GetEnvironmentVariable("IOTSYNC_TEST_LOGLEVEL") ?? "WARNING";

    public Config NodeConfig(int snapshotEvery = 1000) => ConfigurationFactory.ParseString($$"""
        iotsync.persistence {
          provider = postgresql
          database-path = "{{System.IO.Path.Combine(Directory, "mirror.db").Replace("\\", "\\\\")}}"
          synchronous = FULL
          snapshot-every = {{snapshotEvery}}
          postgresql.connection-string-file = "{{ConnectionStringFile.Replace("\\", "\\\\")}}"
        }
        iotsync.exchange.max-entry-bytes = 1 MiB
        akka.loglevel = {{LogLevel}}
        akka.stdout-loglevel = {{LogLevel}}
        """);

    public ActorSystem Start(int snapshotEvery = 1000, string name = "test")
    {
        var system = ActorSystem.Create(name, IoTSyncSystem.Setup(NodeConfig(snapshotEvery)));
        _systems.Add(system);
        return system;
    }

    public LogHolderSettings LogHolder(int snapshotEvery = 1000) => IoTSyncSystem.LogHolderSettings(NodeConfig(snapshotEvery));

    public long ReadNumber(string sql, string? persistenceId = null)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql.Replace("$id", "@id", StringComparison.Ordinal);
        if (persistenceId is not null)
            command.Parameters.AddWithValue("id", persistenceId);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        // Each step whatever the one before did: the temp directory and the database go also when a system hung.
        try
        {
            foreach (var system in _systems)
                system.Terminate().Wait(TimeSpan.FromSeconds(30));
        }
        finally
        {
            try
            {
                PostgresPersistence.ClearPool(Settings);
                // FORCE: a connection a crashed test left open must not keep the database.
                _server.Execute($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)").GetAwaiter().GetResult();
            }
            catch (NpgsqlException)
            {
                // The server goes with its directory at the fixture's end anyway.
            }
            finally
            {
                try
                {
                    System.IO.Directory.Delete(Directory, recursive: true);
                }
                catch (IOException)
                {
                    // Left for the OS.
                }
            }
        }
    }
}
