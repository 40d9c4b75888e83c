using System.Globalization;
using Akka.Configuration;
using IoTSync.Configuration;

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

    /// <summary>Where the journal lives: <see cref="PersistenceProvider.Sqlite"/> (default) or <see cref="PersistenceProvider.PostgreSql"/>.</summary>
    public PersistenceProvider Provider => Postgres is null ? PersistenceProvider.Sqlite : PersistenceProvider.PostgreSql;

    /// <summary>
    /// The PostgreSQL journal when <c>provider = postgresql</c>, else null. <see cref="DatabasePath"/> then
    /// holds no journal: it names only the node's state directory and its lock file (<c>DATABASE.lock</c>).
    /// </summary>
    public PostgresSettings? Postgres { get; init; }

    /// <summary>Where the journal is, for messages: the SQLite file, or <see cref="PostgresSettings.Description"/> (no secrets).</summary>
    public string Location => Postgres?.Description ?? DatabasePath;

    /// <summary>
    /// The device node's settings: <see cref="FromConfig"/>, refused when they choose PostgreSQL. A device keeps
    /// its journal in SQLite only: its log must be durable on the device itself, with no server to reach.
    /// </summary>
    /// <exception cref="ConfigurationException">The configuration (or IOTSYNC_PERSISTENCE_PROVIDER) chose PostgreSQL.</exception>
    public static IoTSyncPersistenceSettings ForDevice(Config config, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        environment ??= Environment.GetEnvironmentVariable;
        // Before the rest is read: a PostgreSQL section the device does not have must not be what is reported.
        if (ReadProvider(config, environment) == PersistenceProvider.PostgreSql)
            throw new ConfigurationException(
                $"{ConfigPath}.provider = postgresql: the device node keeps its journal in SQLite only (PostgreSQL is for the mirror); remove the key or set it to sqlite");
        return FromConfig(config, environment);
    }

    /// <summary>
    /// Environment variables that override keys of <c>iotsync.persistence</c>, by key. An unset or
    /// blank variable leaves the HOCON value in force.
    /// </summary>
    /// <remarks>
    /// Applied here rather than with HOCON's <c>key = ${?VAR}</c>: Akka.NET 1.5's HOCON parser has no
    /// environment substitution, and it mis-parses <c>${?VAR}</c> without an error: the value becomes
    /// empty and the <c>}</c> ending the substitution closes the enclosing object, so later keys land
    /// in the wrong object or vanish.
    /// </remarks>
    public static IReadOnlyDictionary<string, string> EnvironmentOverrides { get; } = new Dictionary<string, string>
    {
        ["database-path"] = "IOTSYNC_DATABASE_PATH",
        ["synchronous"] = "IOTSYNC_SQLITE_SYNCHRONOUS",
        ["snapshot-every"] = "IOTSYNC_SNAPSHOT_EVERY",
        ["provider"] = "IOTSYNC_PERSISTENCE_PROVIDER",
        ["postgresql.connection-string-file"] = "IOTSYNC_POSTGRESQL_CONNECTION_STRING_FILE",
    };

    /// <summary>
    /// Reads and validates the <c>iotsync.persistence</c> section of a node's root configuration,
    /// with the <see cref="EnvironmentOverrides"/> applied.
    /// </summary>
    /// <param name="config">The node's root configuration.</param>
    /// <param name="environment">Looks up an environment variable; the process environment when null.</param>
    /// <exception cref="ConfigurationException">
    /// The section or a key is missing, or a value is invalid; the message names the key (and the
    /// environment variable when the value came from one).
    /// </exception>
    public static IoTSyncPersistenceSettings FromConfig(Config config, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        environment ??= Environment.GetEnvironmentVariable;
        if ((config.IsEmpty || !config.HasPath(ConfigPath)) && EnvironmentOverrides.Values.All(v => string.IsNullOrWhiteSpace(environment(v))))
            throw new ConfigurationException($"Missing configuration section '{ConfigPath}'.");

        var (databasePath, databasePathSource) = Read(config, environment, "database-path");
        var (synchronousText, synchronousSource) = Read(config, environment, "synchronous");
        var (snapshotEveryText, snapshotEverySource) = Read(config, environment, "snapshot-every");

        SqliteSynchronous synchronous;
        try
        {
            synchronous = ParseSynchronous(synchronousText);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"{synchronousSource}: {e.Message}");
        }

        if (!int.TryParse(snapshotEveryText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var snapshotEvery) || snapshotEvery <= 0)
            throw new ConfigurationException($"{snapshotEverySource}: '{snapshotEveryText}' is not a whole number greater than 0.");

        IoTSyncPersistenceSettings settings;
        try
        {
            settings = new IoTSyncPersistenceSettings(databasePath, synchronous, snapshotEvery);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"{databasePathSource}: {e.Message}");
        }
        if (ReadProvider(config, environment) == PersistenceProvider.Sqlite)
            return settings;
        var (file, fileSource) = Read(config, environment, "postgresql.connection-string-file");
        return settings with { Postgres = PostgresSettings.FromFile(file, fileSource) };
    }

    /// <summary>Parses sqlite or postgresql, in any letter case.</summary>
    /// <exception cref="ArgumentException">Anything else.</exception>
    public static PersistenceProvider ParseProvider(string? value) =>
        value?.Trim().ToLowerInvariant() switch
        {
            "sqlite" => PersistenceProvider.Sqlite,
            "postgresql" => PersistenceProvider.PostgreSql,
            _ => throw new ArgumentException($"'{value}' is not a persistence provider; use sqlite or postgresql.", nameof(value)),
        };

    /// <summary>The provider: the environment's, else the key's; sqlite when neither says (the device's files have no such key).</summary>
    public static PersistenceProvider ReadProvider(Config config, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var variable = EnvironmentOverrides["provider"];
        var path = $"{ConfigPath}.provider";
        var fromEnvironment = environment(variable);
        var (value, source) = !string.IsNullOrWhiteSpace(fromEnvironment)
            ? (fromEnvironment, $"{variable} (overriding {path})")
            : (config.IsEmpty ? null : config.OptionalString(path), path);
        if (string.IsNullOrWhiteSpace(value))
            return PersistenceProvider.Sqlite;
        try
        {
            return ParseProvider(value);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"{source}: {e.Message}");
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

    /// <returns>The value, and where it came from (for error messages).</returns>
    private static (string Value, string Source) Read(Config config, Func<string, string?> environment, string key)
    {
        var path = $"{ConfigPath}.{key}";
        var variable = EnvironmentOverrides[key];
        var fromEnvironment = environment(variable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
            return (fromEnvironment, $"{variable} (overriding {path})");

        var value = config.OptionalString(path);
        if (string.IsNullOrWhiteSpace(value))
            throw new ConfigurationException($"{path} is missing or empty.");
        return (value, path);
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
