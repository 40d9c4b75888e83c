using System.Globalization;
using Akka.Configuration;

namespace IoTSync.Persistence;

/// <summary>
/// The node's persistence settings, read from <c>iotsync.persistence</c> (see <c>hocon/shared.hocon</c>).
/// Every value is validated on construction, so a node with a bad setting fails at start-up with the
/// offending key in the message instead of running with a weaker durability than configured.
/// </summary>
public sealed record IoTSyncPersistenceSettings
{
    /// <summary>The HOCON path of the section these settings are read from.</summary>
    public const string ConfigPath = "iotsync.persistence";

    /// <param name="databasePath">SQLite database file; made absolute against the current directory.</param>
    /// <param name="synchronous">The <c>PRAGMA synchronous</c> level for every journal connection.</param>
    /// <param name="snapshotEvery">Persistent actors save a snapshot after this many events; greater than 0.</param>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public IoTSyncPersistenceSettings(string databasePath, SqliteSynchronous synchronous = SqliteSynchronous.Full, int snapshotEvery = 1000)
    {
        DatabasePath = ValidateDatabasePath(databasePath);
        if (!Enum.IsDefined(synchronous))
            throw new ArgumentOutOfRangeException(nameof(synchronous), synchronous, "Not a SQLite synchronous level.");
        Synchronous = synchronous;
        if (snapshotEvery <= 0)
            throw new ArgumentOutOfRangeException(nameof(snapshotEvery), snapshotEvery, "snapshot-every must be greater than 0.");
        SnapshotEvery = snapshotEvery;
    }

    /// <summary>Absolute path of the SQLite database file.</summary>
    public string DatabasePath { get; }

    /// <summary>The <c>PRAGMA synchronous</c> level set on every connection the persistence plugins open.</summary>
    public SqliteSynchronous Synchronous { get; }

    /// <summary>Number of events after which a persistent actor saves a snapshot.</summary>
    public int SnapshotEvery { get; }

    /// <summary>Reads and validates the <c>iotsync.persistence</c> section of a node's root configuration.</summary>
    /// <exception cref="ConfigurationException">The section or a key is missing, or a value is invalid; the message names the key.</exception>
    public static IoTSyncPersistenceSettings FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.IsEmpty || !config.HasPath(ConfigPath))
            throw new ConfigurationException($"Missing configuration section '{ConfigPath}'.");

        var databasePath = Required(config, "database-path");
        var synchronousText = Required(config, "synchronous");
        var snapshotEveryText = Required(config, "snapshot-every");

        SqliteSynchronous synchronous;
        try
        {
            synchronous = ParseSynchronous(synchronousText);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"{ConfigPath}.synchronous: {e.Message}");
        }

        if (!int.TryParse(snapshotEveryText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var snapshotEvery) || snapshotEvery <= 0)
            throw new ConfigurationException(
                $"{ConfigPath}.snapshot-every: '{snapshotEveryText}' is not a whole number greater than 0.");

        try
        {
            return new IoTSyncPersistenceSettings(databasePath, synchronous, snapshotEvery);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"{ConfigPath}.database-path: {e.Message}");
        }
    }

    /// <summary>Parses OFF, NORMAL, FULL or EXTRA, in any letter case.</summary>
    /// <exception cref="ArgumentException">Anything else, numbers included.</exception>
    public static SqliteSynchronous ParseSynchronous(string? value) =>
        value?.Trim().ToUpperInvariant() switch
        {
            "OFF" => SqliteSynchronous.Off,
            "NORMAL" => SqliteSynchronous.Normal,
            "FULL" => SqliteSynchronous.Full,
            "EXTRA" => SqliteSynchronous.Extra,
            _ => throw new ArgumentException(
                $"'{value}' is not a SQLite synchronous level; use OFF, NORMAL, FULL or EXTRA.", nameof(value)),
        };

    private static string Required(Config config, string key)
    {
        var path = $"{ConfigPath}.{key}";
        var value = config.HasPath(path) ? config.GetString(path, null) : null;
        if (string.IsNullOrWhiteSpace(value))
            throw new ConfigurationException($"{path} is missing or empty.");
        return value;
    }

    private static string ValidateDatabasePath(string databasePath)
    {
        if (string.IsNullOrWhiteSpace(databasePath))
            throw new ArgumentException("The database path is empty.", nameof(databasePath));
        // An in-memory database cannot be durable and cannot use WAL; refuse it here, not at first write.
        if (databasePath.Trim().Equals(":memory:", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException("An in-memory SQLite database cannot hold a durable journal.", nameof(databasePath));
        return Path.GetFullPath(databasePath);
    }
}
