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

        try
        {
            return new IoTSyncPersistenceSettings(databasePath, synchronous, snapshotEvery);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"{databasePathSource}: {e.Message}");
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
