using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting;
using IoTSync.Logs;
using IoTSync.Persistence;
using IoTSync.Serialization;

namespace IoTSync;

/// <summary>
/// Builds the ActorSystem setup every IoTSync node uses: its HOCON, our serializer, the SQLite journal —
/// for a plain ActorSystem (<see cref="Setup"/>) or on an Akka.Hosting builder (<see cref="AddIoTSyncSystem"/>).
/// </summary>
public static class IoTSyncSystem
{
    /// <summary>What every node needs whatever its HOCON says: the serializer binding.</summary>
    public static Config Essentials { get; } = ConfigurationFactory.ParseString(IoTSyncSerializer.Hocon);

    public static ActorSystemSetup Setup(Config nodeConfig, Action<string, System.Data.Common.DbConnection>? connectionObserver = null)
    {
        var config = nodeConfig.WithFallback(Essentials);
        return SqlitePersistence.CreateActorSystemSetup(IoTSyncPersistenceSettings.FromConfig(config), config, connectionObserver);
    }

    /// <summary>
    /// What <see cref="Setup"/> gives a plain ActorSystem, on an Akka.Hosting builder: the node's HOCON
    /// (our serializer and the SQLite plugins in it) and the plugins' connection setup; Akka's log events
    /// go to Microsoft.Extensions.Logging at the node's <c>akka.loglevel</c>.
    /// </summary>
    /// <remarks>
    /// Akka.Persistence.Sql.Hosting is served only at an older version than Akka.Persistence.Sql here,
    /// so the SQLite wiring stays the project's own (<see cref="SqlitePersistence"/>), handed over as HOCON and a setup.
    /// </remarks>
    public static AkkaConfigurationBuilder AddIoTSyncSystem(this AkkaConfigurationBuilder builder, Config nodeConfig)
    {
        var config = nodeConfig.WithFallback(Essentials);
        var persistence = IoTSyncPersistenceSettings.FromConfig(config);
        return builder
            .AddHocon(SqlitePersistence.SystemConfig(persistence, config), HoconAddMode.Prepend)
            // The host owns the stop: SIGTERM stops the hosted services in order (the device's interface
            // down first) and then the actor system. Akka's own process-exit hook would start
            // CoordinatedShutdown at once, beside that order.
            .AddHocon("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off", HoconAddMode.Prepend)
            .AddSetup(SqlitePersistence.CreateSetup(persistence.DatabasePath, persistence.Synchronous))
            .ConfigureLoggers(loggers =>
            {
                loggers.LogLevel = Logging.LogLevelFor(config.GetString("akka.loglevel", "INFO"));
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            });
    }

    /// <summary>
    /// A node's configuration: its own file (<c>device.hocon</c> or <c>mirror.hocon</c>) over
    /// <c>shared.hocon</c> from the same directory. A clear error when either is missing or malformed.
    /// </summary>
    public static Config LoadNodeConfig(string nodeFile)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(nodeFile))!;
        var shared = Path.Combine(directory, "shared.hocon");
        return ParseFile(nodeFile).WithFallback(ParseFile(shared));
    }

    private static Config ParseFile(string path)
    {
        if (!File.Exists(path))
            throw new ConfigurationException($"configuration file '{path}' does not exist");
        try
        {
            return ConfigurationFactory.ParseString(File.ReadAllText(path));
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException($"configuration file '{path}' is not valid HOCON: {e.Message}");
        }
    }

    /// <summary>Snapshot cadence and read-journal id for the log-holding actors, from <c>iotsync.persistence</c>.</summary>
    public static LogHolderSettings LogHolderSettings(Config nodeConfig) =>
        new(IoTSyncPersistenceSettings.FromConfig(nodeConfig).SnapshotEvery, SqlitePersistence.ReadJournalPluginId);
}
