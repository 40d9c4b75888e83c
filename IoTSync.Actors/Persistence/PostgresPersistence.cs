using Akka.Configuration;
using Akka.Persistence.Sql;
using Npgsql;

namespace IoTSync.Persistence;

/// <summary>
/// Wires Akka.Persistence.Sql (linq2db provider <c>PostgreSQL.15</c>, Npgsql) to one PostgreSQL database for
/// all three plugins — journal, snapshot store and read journal — under the same plugin ids as
/// <see cref="SqlitePersistence"/>, so that every actor and query names them the same way whatever the provider.
/// </summary>
/// <remarks>
/// Tables, schema and columns are Akka.Persistence.Sql's defaults (<c>journal</c>, <c>tags</c>,
/// <c>snapshot</c> in the connection's search path, normally <c>public</c>), created on first use
/// (<c>auto-initialize = on</c>). Durability is the server's: with PostgreSQL's default
/// <c>synchronous_commit = on</c> a write the journal acknowledged has been flushed to the server's WAL.
/// The connection string goes into the system's HOCON in memory only; it is read from an owner-only
/// file (<see cref="PostgresSettings.FromFile"/>) and never logged (Akka logs no configuration here).
/// </remarks>
public static class PostgresPersistence
{
    /// <summary>linq2db provider name for PostgreSQL 15 through Npgsql.</summary>
    public const string ProviderName = LinqToDB.ProviderName.PostgreSQL15;

    /// <summary>
    /// The HOCON fragment selecting the three plugins on <paramref name="postgres"/>, with tables created on
    /// first use. It holds only the keys it sets: put it in front of the application's config and
    /// <see cref="SqlPersistence.DefaultConfiguration"/> behind everything, as <see cref="SystemConfig"/> does.
    /// </summary>
    public static Config Hocon(PostgresSettings postgres)
    {
        ArgumentNullException.ThrowIfNull(postgres);
        var cs = HoconText.Quote(postgres.ConnectionString);
        var provider = HoconText.Quote(ProviderName);
        return ConfigurationFactory.ParseString($$"""
            akka.persistence {
              journal {
                plugin = {{HoconText.Quote(SqlitePersistence.JournalPluginId)}}
                sql {
                  plugin-id = {{HoconText.Quote(SqlitePersistence.JournalPluginId)}}
                  connection-string = {{cs}}
                  provider-name = {{provider}}
                  auto-initialize = on
                }
              }
              snapshot-store {
                plugin = {{HoconText.Quote(SqlitePersistence.SnapshotStorePluginId)}}
                sql {
                  plugin-id = {{HoconText.Quote(SqlitePersistence.SnapshotStorePluginId)}}
                  connection-string = {{cs}}
                  provider-name = {{provider}}
                  auto-initialize = on
                }
              }
              query.journal.sql {
                plugin-id = {{HoconText.Quote(SqlitePersistence.ReadJournalPluginId)}}
                connection-string = {{cs}}
                provider-name = {{provider}}
                write-plugin = {{HoconText.Quote(SqlitePersistence.JournalPluginId)}}
              }
            }
            """);
    }

    /// <summary><see cref="Hocon"/> in front of <paramref name="appConfig"/>, Akka.Persistence.Sql's defaults behind it.</summary>
    public static Config SystemConfig(PostgresSettings postgres, Config appConfig)
    {
        ArgumentNullException.ThrowIfNull(appConfig);
        return Hocon(postgres).WithFallback(appConfig).WithFallback(SqlPersistence.DefaultConfiguration);
    }

    /// <summary>Closes the idle pooled connections to the database (a test dropping it needs none left open).</summary>
    public static void ClearPool(PostgresSettings postgres)
    {
        using var connection = new NpgsqlConnection(postgres.ConnectionString);
        NpgsqlConnection.ClearPool(connection);
    }
}
