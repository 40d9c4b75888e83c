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
