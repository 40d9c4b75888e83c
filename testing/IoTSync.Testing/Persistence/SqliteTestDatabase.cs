using Akka.Actor;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using IoTSync.Persistence;

namespace IoTSync.Testing.Persistence;

/// <summary>A SQLite file in a private temp directory, removed on dispose, with ActorSystems started on it.</summary>
public sealed class SqliteTestDatabase : IJournalTestStore
{
    private readonly List<ActorSystem> _systems = [];

    public SqliteTestDatabase(string name = "journal")
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("iotsync-test-").FullName;
        Path = System.IO.Path.Combine(Directory, name + ".db");
    }

    public string Directory { get; }

    public string Provider => "sqlite";

    public string Path { get; }

    /// <summary>
    /// One number read from the file, read-only and outside the actors' connections (what a spec
    /// checks the journal or snapshot table with); <c>$id</c> in <paramref name="sql"/> is <paramref name="persistenceId"/>.
    /// </summary>
    public long ReadNumber(string sql, string? persistenceId = null)
    {
        using var connection = new SqliteConnection($"Data Source={Path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (persistenceId is not null)
            command.Parameters.AddWithValue("$id", persistenceId);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>IOTSYNC_TEST_LOGLEVEL=INFO shows the actors' log lines when a test needs looking into.</summary>
    private static string LogLevel => Environment.GetEnvironmentVariable("IOTSYNC_TEST_LOGLEVEL") ?? "WARNING";

    public Config NodeConfig(int snapshotEvery = 1000) => ConfigurationFactory.ParseString($$"""
        iotsync.persistence {
          database-path = "{{Path.Replace("\\", "\\\\")}}"
          synchronous = FULL
          snapshot-every = {{snapshotEvery}}
        }
        iotsync.exchange.max-entry-bytes = 1 MiB
        akka.loglevel = {{LogLevel}}
        akka.stdout-loglevel = {{LogLevel}}
        """);

    /// <summary>Starts a new ActorSystem on this file; terminated on dispose if the test did not.</summary>
    public ActorSystem Start(int snapshotEvery = 1000, string name = "test")
    {
        var system = ActorSystem.Create(name, IoTSyncSystem.Setup(NodeConfig(snapshotEvery)));
        _systems.Add(system);
        return system;
    }

    public IoTSync.Logs.LogHolderSettings LogHolder(int snapshotEvery = 1000) => IoTSyncSystem.LogHolderSettings(NodeConfig(snapshotEvery));

    public static async Task Stop(ActorSystem system) => await system.Terminate().WaitAsync(TimeSpan.FromSeconds(30));

    public void Dispose()
    {
        foreach (var system in _systems)
            system.Terminate().Wait(TimeSpan.FromSeconds(30));
        SqlitePersistence.ClearPool(Path);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a crashed test; the temp directory is left for the OS.
        }
    }
}
