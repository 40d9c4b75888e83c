using System.Data.Common;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Persistence.Sql;
using Akka.Persistence.Sql.Config;
using LinqToDB;
using Microsoft.Data.Sqlite;

namespace IoTSync.Persistence;

/// <summary>
/// Wires Akka.Persistence.Sql (provider <c>SQLite.MS</c>) to one SQLite file for all three plugins —
/// journal, snapshot store and read journal — with every connection they open in WAL mode at the
/// configured <c>synchronous</c> level.
/// </summary>
/// <remarks>
/// Two parts, both needed: <see cref="Hocon"/> selects the plugins and names the database, and
/// <see cref="CreateSetup"/> hands each plugin linq2db <see cref="DataOptions"/> carrying a
/// <see cref="SqliteDurabilityInterceptor"/>. Akka.Persistence.Sql looks the options up in the
/// <see cref="MultiDataOptionsSetup"/> by the plugin's <c>plugin-id</c>, and when it finds them it
/// opens connections from them only; the HOCON connection string is then used for nothing but naming.
/// Without the setup the plugins still start, on the HOCON connection string, with no pragmas at
/// all — so build systems through <see cref="CreateActorSystemSetup"/>, which always adds both.
/// <para>
/// No plugin <c>serializer</c> key is set: the plugins then pick each event's and snapshot's serializer
/// from <c>akka.actor.serialization-bindings</c>, which is where the project's own serializer is bound.
/// </para>
/// </remarks>
public static class SqlitePersistence
{
    /// <summary>linq2db provider name for Microsoft.Data.Sqlite.</summary>
    public const string ProviderName = LinqToDB.ProviderName.SQLiteMS;

    /// <summary>HOCON path and plugin id of the write journal.</summary>
    public const string JournalPluginId = SqlPersistence.JournalConfigPath;

    /// <summary>HOCON path and plugin id of the snapshot store.</summary>
    public const string SnapshotStorePluginId = SqlPersistence.SnapshotStoreConfigPath;

    /// <summary>HOCON path and plugin id of the read journal (for <c>ReadJournalFor</c>).</summary>
    public const string ReadJournalPluginId = SqlPersistence.QueryConfigPath;

    /// <summary>The three plugin ids, in the order journal, snapshot store, read journal.</summary>
    public static IReadOnlyList<string> PluginIds { get; } = [JournalPluginId, SnapshotStorePluginId, ReadJournalPluginId];

    /// <summary>
    /// The Microsoft.Data.Sqlite connection string for a database file: read-write-create, private
    /// cache, pooled.
    /// </summary>
    /// <remarks>
    /// Pooling stays on: the plugins open a connection for every write batch and every query, and a
    /// pooled open skips reopening the file and re-reading the schema. It cannot leak a weaker
    /// level, because the interceptor sets the pragmas again on every open, pooled or not.
    /// <c>Cache=Shared</c> is not used: SQLite discourages shared-cache mode, it swaps WAL's
    /// readers-never-block-the-writer for table locks (SQLITE_LOCKED), and it adds nothing to
    /// durability.
    /// </remarks>
    public static string ConnectionString(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        return new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();
    }

    /// <summary>
    /// The HOCON fragment selecting the three Akka.Persistence.Sql plugins on <paramref name="databasePath"/>,
    /// with tables created on first use. It holds only the keys it sets: put it in front of the
    /// application's config and put <see cref="SqlPersistence.DefaultConfiguration"/> behind everything,
    /// as <see cref="CreateActorSystemSetup"/> does.
    /// </summary>
    public static Config Hocon(string databasePath)
    {
        var cs = Quote(ConnectionString(databasePath));
        var provider = Quote(ProviderName);
        var hocon = $$"""
            akka.persistence {
              journal {
                plugin = {{Quote(JournalPluginId)}}
                sql {
                  plugin-id = {{Quote(JournalPluginId)}}
                  connection-string = {{cs}}
                  provider-name = {{provider}}
                  auto-initialize = on
                  # SQLite has a single write lock; more writers only queue on it through
                  # Microsoft.Data.Sqlite's busy retry, which sleeps 150 ms per attempt.
                  parallelism = 1
                  # Microsoft.Data.Sqlite begins a read-uncommitted transaction deferred ("BEGIN;"): in
                  # WAL mode a snapshot that never waits for the writer (uncommitted rows are only ever
                  # visible with a shared cache, and this connection's cache is private). Any other
                  # level begins "BEGIN IMMEDIATE" and takes the write lock for a recovery's reads.
                  read-isolation-level = read-uncommitted
                }
              }
              snapshot-store {
                plugin = {{Quote(SnapshotStorePluginId)}}
                sql {
                  plugin-id = {{Quote(SnapshotStorePluginId)}}
                  connection-string = {{cs}}
                  provider-name = {{provider}}
                  auto-initialize = on
                  # As the journal's: a snapshot load reads without the write lock.
                  read-isolation-level = read-uncommitted
                }
              }
              query.journal.sql {
                plugin-id = {{Quote(ReadJournalPluginId)}}
                connection-string = {{cs}}
                provider-name = {{provider}}
                write-plugin = {{Quote(JournalPluginId)}}
                read-isolation-level = read-uncommitted
              }
            }
            """;
        return ConfigurationFactory.ParseString(hocon);
    }

    /// <summary>
    /// linq2db options for one plugin: the database's connection string and a
    /// <see cref="SqliteDurabilityInterceptor"/> at <paramref name="synchronous"/>.
    /// </summary>
    public static DataOptions CreateDataOptions(string databasePath, SqliteSynchronous synchronous, Action<DbConnection>? observer = null) =>
        new DataOptions()
            .UseConnectionString(ProviderName, ConnectionString(databasePath))
            .UseInterceptor(new SqliteDurabilityInterceptor(synchronous, observer));

    /// <summary>
    /// The setup giving each of the three plugins its own <see cref="DataOptions"/> (and its own
    /// interceptor), keyed by plugin id.
    /// </summary>
    /// <param name="databasePath">The SQLite database file.</param>
    /// <param name="synchronous">The level every connection of every plugin gets.</param>
    /// <param name="observer">
    /// Optional; called with the plugin id and the connection after the pragmas ran on each
    /// connection that plugin opens.
    /// </param>
    public static MultiDataOptionsSetup CreateSetup(string databasePath, SqliteSynchronous synchronous, Action<string, DbConnection>? observer = null)
    {
        var setup = new MultiDataOptionsSetup();
        foreach (var pluginId in PluginIds)
        {
            Action<DbConnection>? perPlugin = observer is null ? null : connection => observer(pluginId, connection);
            setup.AddDataOptions(pluginId, CreateDataOptions(databasePath, synchronous, perPlugin));
        }
        return setup;
    }

    /// <summary>
    /// Everything an ActorSystem needs: <see cref="Hocon"/> in front of <paramref name="appConfig"/>,
    /// Akka.Persistence.Sql's defaults behind it, and <see cref="CreateSetup"/>.
    /// </summary>
    public static ActorSystemSetup CreateActorSystemSetup(
        IoTSyncPersistenceSettings settings, Config appConfig, Action<string, DbConnection>? observer = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return BootstrapSetup.Create()
            .WithConfig(SystemConfig(settings, appConfig))
            .And(CreateSetup(settings.DatabasePath, settings.Synchronous, observer));
    }

    /// <summary>The configuration part of <see cref="CreateActorSystemSetup"/>: <see cref="Hocon"/> in front of <paramref name="appConfig"/>, Akka.Persistence.Sql's defaults behind it.</summary>
    public static Config SystemConfig(IoTSyncPersistenceSettings settings, Config appConfig)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(appConfig);
        return Hocon(settings.DatabasePath)
            .WithFallback(appConfig)
            .WithFallback(SqlPersistence.DefaultConfiguration);
    }

    /// <summary>
    /// Closes the idle pooled connections to <paramref name="databasePath"/>, which otherwise keep the
    /// file open after the ActorSystem has terminated (call before moving or deleting the file).
    /// </summary>
    public static void ClearPool(string databasePath)
    {
        using var connection = new SqliteConnection(ConnectionString(databasePath));
        SqliteConnection.ClearPool(connection);
    }

    private static string Quote(string value) => HoconText.Quote(value);
}
