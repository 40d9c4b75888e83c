using System.Data.Common;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;

namespace IoTSync.Persistence;

/// <summary>
/// The node's journal whichever provider its settings chose: the system configuration and setup for
/// <see cref="SqlitePersistence"/> or <see cref="PostgresPersistence"/>, and the start-up check of the store
/// (<see cref="DatabaseFile"/> or <see cref="PostgresDatabase"/>).
/// </summary>
public static class JournalStore
{
    /// <summary>The persistence part of a system's configuration: the chosen plugins in front of <paramref name="appConfig"/>, Akka.Persistence.Sql's defaults behind.</summary>
    public static Config SystemConfig(IoTSyncPersistenceSettings settings, Config appConfig)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Postgres is { } postgres
            ? PostgresPersistence.SystemConfig(postgres, appConfig)
            : SqlitePersistence.SystemConfig(settings, appConfig);
    }

    /// <summary>
    /// The setups the plugins need besides their configuration: SQLite's connection options (WAL, the
    /// <c>synchronous</c> level); none for PostgreSQL, whose durability is the server's.
    /// </summary>
    public static IEnumerable<Setup> Setups(IoTSyncPersistenceSettings settings, Action<string, DbConnection>? observer = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Postgres is null)
            yield return SqlitePersistence.CreateSetup(settings.DatabasePath, settings.Synchronous, observer);
    }

    /// <summary>Everything an ActorSystem needs for the chosen journal: <see cref="SystemConfig"/> and <see cref="Setups"/>.</summary>
    public static ActorSystemSetup CreateActorSystemSetup(IoTSyncPersistenceSettings settings, Config appConfig, Action<string, DbConnection>? observer = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Postgres is null)
            return SqlitePersistence.CreateActorSystemSetup(settings, appConfig, observer);
        return ActorSystemSetup.Create([BootstrapSetup.Create().WithConfig(SystemConfig(settings, appConfig)), .. Setups(settings, observer)]);
    }

    /// <summary>
    /// The node's check of its store before anything opens it for writing: an existing SQLite file must be a
    /// whole database (<see cref="DatabaseFile.EnsureUsable"/>); a PostgreSQL server must answer and take the
    /// credentials (<see cref="PostgresDatabase.EnsureReachable"/>). Either refusal is an <see cref="IOException"/> in one line.
    /// </summary>
    public static void EnsureUsable(IoTSyncPersistenceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Postgres is { } postgres)
            PostgresDatabase.EnsureReachable(postgres);
        else
            DatabaseFile.EnsureUsable(settings.DatabasePath);
    }

    /// <summary><see cref="EnsureUsable(IoTSyncPersistenceSettings)"/> on the settings of a node's configuration.</summary>
    public static void EnsureUsable(Config nodeConfig) => EnsureUsable(IoTSyncPersistenceSettings.FromConfig(nodeConfig));
}
