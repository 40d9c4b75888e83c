using Akka.Configuration;
using IoTSync.Persistence;
using Xunit;

namespace IoTSync.Tests.Persistence;

/// <summary>
/// <c>iotsync.persistence.provider</c>: SQLite unless a mirror's configuration says postgresql; a device
/// configuration that says postgresql is refused in words that say why; a bad value or a missing
/// connection-string file is refused with its key (or environment variable) named.
/// </summary>
public sealed class PersistenceProviderSpecs
{
    private static readonly Config Valid = ConfigurationFactory.ParseString("""
        iotsync.persistence {
          database-path = "/var/lib/iotsync/journal.db"
          synchronous = FULL
          snapshot-every = 1000
        }
        """);

    private static string HoconFile(string name) => Path.Combine(AppContext.BaseDirectory, "hocon", name);

    [Theory]
    [InlineData("device.hocon")]
    [InlineData("mirror.hocon")]
    public void Should_keep_the_journal_in_sqlite_with_the_shipped_files(string file)
    {
        var settings = IoTSyncPersistenceSettings.FromConfig(IoTSyncSystem.LoadNodeConfig(HoconFile(file)), _ => null);

        Assert.Equal(PersistenceProvider.Sqlite, settings.Provider);
        Assert.Null(settings.Postgres);
        Assert.Equal(settings.DatabasePath, settings.Location);
    }

    [Fact]
    public void Should_take_sqlite_when_the_key_is_absent()
    {
        Assert.Equal(PersistenceProvider.Sqlite, IoTSyncPersistenceSettings.FromConfig(Valid, _ => null).Provider);
    }

    [Theory]
    [InlineData("iotsync.persistence.provider = postgresql", null)]
    [InlineData("iotsync.persistence.provider = sqlite", "postgresql")]
    public void Should_refuse_postgresql_on_the_device_saying_why(string hocon, string? fromEnvironment)
    {
        var config = ConfigurationFactory.ParseString(hocon).WithFallback(Valid);

        var refusal = Assert.Throws<ConfigurationException>(() => IoTSyncPersistenceSettings.ForDevice(
            config, name => name == "IOTSYNC_PERSISTENCE_PROVIDER" ? fromEnvironment : null));

        Assert.Equal("iotsync.persistence.provider = postgresql: the device node keeps its journal in SQLite only (PostgreSQL is for the mirror); " +
                     "remove the key or set it to sqlite", refusal.Message);
    }

    [Fact]
    public void Should_give_the_device_its_sqlite_settings()
    {
        var settings = IoTSyncPersistenceSettings.ForDevice(IoTSyncSystem.LoadNodeConfig(HoconFile("device.hocon")), _ => null);
        Assert.Equal("device.db", Path.GetFileName(settings.DatabasePath));
    }

    [Theory]
    [InlineData("iotsync.persistence.provider = mysql", null, "iotsync.persistence.provider: 'mysql' is not a persistence provider")]
    [InlineData("", "oracle", "IOTSYNC_PERSISTENCE_PROVIDER (overriding iotsync.persistence.provider): 'oracle' is not a persistence provider")]
    [InlineData("iotsync.persistence.provider = postgresql", null, "iotsync.persistence.postgresql.connection-string-file is missing or empty")]
    [InlineData("iotsync.persistence { provider = PostgreSQL, postgresql.connection-string-file = \"\" }", null, "iotsync.persistence.postgresql.connection-string-file is missing or empty")]
    public void Should_refuse_a_bad_provider_or_a_missing_connection_string_file_naming_the_key(string hocon, string? fromEnvironment, string expected)
    {
        var config = ConfigurationFactory.ParseString(hocon).WithFallback(Valid);

        var refusal = Assert.Throws<ConfigurationException>(() => IoTSyncPersistenceSettings.FromConfig(
            config, name => name == "IOTSYNC_PERSISTENCE_PROVIDER" ? fromEnvironment : null));

        Assert.StartsWith(expected, refusal.Message);
    }

    [Fact]
    public void Should_describe_a_postgresql_journal_without_its_password()
    {
        var postgres = new PostgresSettings("Host=db.internal;Port=5433;Database=fleet;Username=mirror;Password=hunter2-hunter2");

        Assert.Equal("postgresql://mirror@db.internal:5433/fleet", postgres.Description);
        Assert.Equal(postgres.Description, postgres.ToString());
        var settings = new IoTSyncPersistenceSettings("x.db") { Postgres = postgres };
        Assert.Equal(PersistenceProvider.PostgreSql, settings.Provider);
        Assert.Equal(postgres.Description, settings.Location);
        Assert.DoesNotContain("hunter2", settings.ToString());
    }

    [Theory]
    [InlineData("Database=fleet;Username=mirror", "names no Host")]
    [InlineData("Host=db;Username=mirror", "names no Database")]
    [InlineData("Host=db;Database=fleet;Pasword=hunter2-secret", "not an Npgsql connection string")]
    public void Should_refuse_an_unusable_connection_string_without_echoing_it(string text, string expected)
    {
        var refusal = Assert.Throws<ArgumentException>(() => new PostgresSettings(text));

        Assert.Contains(expected, refusal.Message);
        Assert.DoesNotContain("hunter2", refusal.Message);
    }
}
