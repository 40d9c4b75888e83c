using Akka.Actor.Setup;
using Akka.Configuration;
using IoTSync.Journal;
using IoTSync.Persistence;
using IoTSync.Serialization;

namespace IoTSync;

/// <summary>Builds the ActorSystem setup every IoTSync node uses: its HOCON, our serializer, the SQLite journal.</summary>
public static class IoTSyncSystem
{
    /// <summary>What every node needs whatever its HOCON says: the serializer binding.</summary>
    public static Config Essentials { get; } = ConfigurationFactory.ParseString(IoTSyncSerializer.Hocon);

    public static ActorSystemSetup Setup(Config nodeConfig, Action<string, System.Data.Common.DbConnection>? connectionObserver = null)
    {
        var config = nodeConfig.WithFallback(Essentials);
        return SqlitePersistence.CreateActorSystemSetup(IoTSyncPersistenceSettings.FromConfig(config), config, connectionObserver);
    }

    /// <summary>Snapshot cadence and read-journal id for the log-holding actors, from <c>iotsync.persistence</c>.</summary>
    public static LogHolderSettings LogHolderSettings(Config nodeConfig) =>
        new(IoTSyncPersistenceSettings.FromConfig(nodeConfig).SnapshotEvery, SqlitePersistence.ReadJournalPluginId);
}
