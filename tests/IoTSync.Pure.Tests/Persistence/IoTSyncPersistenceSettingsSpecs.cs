using System.Text.RegularExpressions;
using Akka.Configuration;
using IoTSync.Persistence;
using Xunit;

namespace IoTSync.Tests.Persistence;

/// <summary>
/// IoTSyncPersistenceSettings: reading <c>hocon/shared.hocon</c>, refusing bad values with the key
/// named, and the file's rule that every key carries a comment.
/// </summary>
public sealed partial class IoTSyncPersistenceSettingsSpecs
{
    private static readonly string SharedHoconPath = Path.Combine(AppContext.BaseDirectory, "hocon", "shared.hocon");

    private static readonly Config Valid = ConfigurationFactory.ParseString("""
        iotsync.persistence {
          database-path = "/var/lib/iotsync/journal.db"
          synchronous = FULL
          snapshot-every = 1000
        }
        """);

    [Fact]
    public void Should_read_the_shipped_shared_hocon()
    {
        var config = ConfigurationFactory.ParseString(File.ReadAllText(SharedHoconPath));
        var settings = IoTSyncPersistenceSettings.FromConfig(config, NoEnvironment);

        Assert.Equal(Path.GetFullPath("iotsync.db"), settings.DatabasePath);
        Assert.Equal(SqliteSynchronous.Full, settings.Synchronous);
        Assert.Equal(1000, settings.SnapshotEvery);
    }

    [Fact]
    public void Should_parse_the_persistence_section_of_shared_hocon_intact()
    {
        var text = File.ReadAllText(SharedHoconPath);
        var config = ConfigurationFactory.ParseString(text);

        // Akka.NET 1.5 mis-parses ${?VAR} without an error, moving keys around; keep it out.
        Assert.DoesNotContain(
            text.Split('\n').Where(l => !l.TrimStart().StartsWith('#') && !l.TrimStart().StartsWith("//", StringComparison.Ordinal)),
            l => l.Contains("${?", StringComparison.Ordinal));
        Assert.Equal(
            ["database-path", "provider", "snapshot-every", "synchronous"],
            config.GetConfig(IoTSyncPersistenceSettings.ConfigPath).AsEnumerable().Select(kv => kv.Key).Order());
    }

    [Fact]
    public void Should_let_environment_variables_override_the_hocon_values()
    {
        var environment = new Dictionary<string, string>
        {
            ["IOTSYNC_DATABASE_PATH"] = "/srv/iotsync/mirror.db",
            ["IOTSYNC_SQLITE_SYNCHRONOUS"] = "extra",
            ["IOTSYNC_SNAPSHOT_EVERY"] = "250",
        };

        var settings = IoTSyncPersistenceSettings.FromConfig(Valid, environment.GetValueOrDefault);

        Assert.Equal(Path.GetFullPath("/srv/iotsync/mirror.db"), settings.DatabasePath);
        Assert.Equal(SqliteSynchronous.Extra, settings.Synchronous);
        Assert.Equal(250, settings.SnapshotEvery);
    }

    [Fact]
    public void Should_ignore_blank_environment_variables()
    {
        var settings = IoTSyncPersistenceSettings.FromConfig(Valid, _ => "  ");
        Assert.Equal(SqliteSynchronous.Full, settings.Synchronous);
        Assert.Equal(1000, settings.SnapshotEvery);
    }

    [Theory]
    [InlineData("IOTSYNC_SQLITE_SYNCHRONOUS", "SOMETIMES", "iotsync.persistence.synchronous")]
    [InlineData("IOTSYNC_SNAPSHOT_EVERY", "0", "iotsync.persistence.snapshot-every")]
    [InlineData("IOTSYNC_DATABASE_PATH", ":memory:", "iotsync.persistence.database-path")]
    public void Should_reject_a_bad_environment_value_naming_the_variable_and_key(string variable, string value, string key)
    {
        var e = Assert.Throws<ConfigurationException>(
            () => IoTSyncPersistenceSettings.FromConfig(Valid, name => name == variable ? value : null));
        Assert.Contains(variable, e.Message);
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void Should_have_a_comment_line_directly_above_every_key_in_shared_hocon()
    {
        var lines = File.ReadAllLines(SharedHoconPath);
        var keys = 0;
        var uncommented = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var match = KeyLine().Match(lines[i]);
            if (!match.Success)
                continue;
            keys++;
            var above = i > 0 ? lines[i - 1].TrimStart() : "";
            if (!above.StartsWith('#') && !above.StartsWith("//", StringComparison.Ordinal))
                uncommented.Add($"line {i + 1}: {match.Groups["key"].Value}");
        }

        Assert.True(keys >= 5, $"expected the iotsync, persistence and three setting keys, found {keys} key lines");
        Assert.Empty(uncommented);
    }

    [Theory]
    [InlineData("OFF", SqliteSynchronous.Off)]
    [InlineData("normal", SqliteSynchronous.Normal)]
    [InlineData("Full", SqliteSynchronous.Full)]
    [InlineData(" EXTRA ", SqliteSynchronous.Extra)]
    public void Should_accept_the_four_synchronous_levels_in_any_case(string value, SqliteSynchronous expected)
    {
        var settings = IoTSyncPersistenceSettings.FromConfig(Override($"iotsync.persistence.synchronous = \"{value}\""), NoEnvironment);
        Assert.Equal(expected, settings.Synchronous);
    }

    [Theory]
    [InlineData("iotsync.persistence.synchronous = SOMETIMES", "iotsync.persistence.synchronous")]
    [InlineData("iotsync.persistence.synchronous = 2", "iotsync.persistence.synchronous")]
    [InlineData("iotsync.persistence.synchronous = \"\"", "iotsync.persistence.synchronous")]
    [InlineData("iotsync.persistence.snapshot-every = 0", "iotsync.persistence.snapshot-every")]
    [InlineData("iotsync.persistence.snapshot-every = -5", "iotsync.persistence.snapshot-every")]
    [InlineData("iotsync.persistence.snapshot-every = 1.5", "iotsync.persistence.snapshot-every")]
    [InlineData("iotsync.persistence.snapshot-every = lots", "iotsync.persistence.snapshot-every")]
    [InlineData("iotsync.persistence.snapshot-every = 99999999999", "iotsync.persistence.snapshot-every")]
    [InlineData("iotsync.persistence.database-path = \"\"", "iotsync.persistence.database-path")]
    [InlineData("iotsync.persistence.database-path = \"   \"", "iotsync.persistence.database-path")]
    [InlineData("iotsync.persistence.database-path = \":memory:\"", "iotsync.persistence.database-path")]
    public void Should_reject_a_bad_value_naming_its_key(string hocon, string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => IoTSyncPersistenceSettings.FromConfig(Override(hocon), NoEnvironment));
        Assert.Contains(key, e.Message);
    }

    [Theory]
    [InlineData("database-path")]
    [InlineData("synchronous")]
    [InlineData("snapshot-every")]
    public void Should_reject_a_missing_key_naming_it(string key)
    {
        var lines = Valid.GetConfig(IoTSyncPersistenceSettings.ConfigPath).AsEnumerable()
            .Where(kv => kv.Key != key)
            .Select(kv => $"iotsync.persistence.{kv.Key} = {kv.Value.GetString()}");
        var withoutKey = ConfigurationFactory.ParseString(string.Join('\n', lines));

        var e = Assert.Throws<ConfigurationException>(() => IoTSyncPersistenceSettings.FromConfig(withoutKey, NoEnvironment));
        Assert.Contains($"iotsync.persistence.{key}", e.Message);
    }

    [Fact]
    public void Should_reject_a_config_without_the_section()
    {
        var e = Assert.Throws<ConfigurationException>(
            () => IoTSyncPersistenceSettings.FromConfig(ConfigurationFactory.ParseString("akka.loglevel = INFO"), NoEnvironment));
        Assert.Contains("iotsync.persistence", e.Message);
    }

    [Fact]
    public void Should_reject_bad_values_passed_to_the_constructor()
    {
        Assert.Throws<ArgumentException>(() => new IoTSyncPersistenceSettings(""));
        Assert.Throws<ArgumentException>(() => new IoTSyncPersistenceSettings(":memory:"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IoTSyncPersistenceSettings("x.db", (SqliteSynchronous)7));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IoTSyncPersistenceSettings("x.db", SqliteSynchronous.Full, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SqliteDurabilityInterceptor((SqliteSynchronous)(-1)));
    }

    [Fact]
    public void Should_make_the_database_path_absolute()
    {
        var settings = IoTSyncPersistenceSettings.FromConfig(Override("iotsync.persistence.database-path = \"data/journal.db\""), NoEnvironment);
        Assert.Equal(Path.GetFullPath("data/journal.db"), settings.DatabasePath);
    }

    private static string? NoEnvironment(string name) => null;

    private static Config Override(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(Valid);

    // A HOCON key at the start of a line: a bare or dotted name followed by '=', ':' or '{'.
    [GeneratedRegex("""^\s*(?<key>[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*)\s*[=:{]""")]
    private static partial Regex KeyLine();
}
