using Akka.Configuration;
using IoTSync.Persistence;
using Xunit;

namespace IoTSync.Tests.Persistence;

/// <summary>
/// The mirror's PostgreSQL connection string comes from an owner-only file that its configuration names (or
/// <c>IOTSYNC_POSTGRESQL_CONNECTION_STRING_FILE</c>): read trimmed; a file others may read, or none, is refused
/// with the key named and without the string in the message.
/// </summary>
public sealed class PostgresConnectionFileSpecs : IDisposable
{
    private const string Secret = "Host=127.0.0.1;Port=5432;Database=iotsync;Username=mirror;Password=correct-horse-battery";
    private readonly string _directory = Directory.CreateTempSubdirectory("iotsync-pgfile-").FullName;

    private string Write(string text, UnixFileMode mode)
    {
        var file = Path.Combine(_directory, "postgresql.connection");
        File.WriteAllText(file, text);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(file, mode);
        return file;
    }

    private static Config Mirror(string file) => ConfigurationFactory.ParseString($$"""
        iotsync.persistence {
          provider = postgresql
          database-path = "mirror.db"
          synchronous = FULL
          snapshot-every = 1000
          postgresql.connection-string-file = "{{file}}"
        }
        """);

    [Fact]
    public void Should_read_the_connection_string_from_an_owner_only_file()
    {
        var file = Write("\n  " + Secret + "  \n", UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var settings = IoTSyncPersistenceSettings.FromConfig(Mirror(file), _ => null);

        Assert.Equal(PersistenceProvider.PostgreSql, settings.Provider);
        Assert.Equal(file, settings.Postgres!.ConnectionStringFile);
        Assert.Equal("postgresql://mirror@127.0.0.1:5432/iotsync", settings.Location);
        Assert.Contains("correct-horse-battery", settings.Postgres.ConnectionString);
    }

    [Fact]
    public void Should_let_the_environment_name_the_file()
    {
        var file = Write(Secret, UnixFileMode.UserRead);

        var settings = IoTSyncPersistenceSettings.FromConfig(Mirror("/nowhere/at/all"),
            name => name == "IOTSYNC_POSTGRESQL_CONNECTION_STRING_FILE" ? file : null);

        Assert.Equal(file, settings.Postgres!.ConnectionStringFile);
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "is readable or writable by group or others")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.OtherRead, "is readable or writable by group or others")]
    public void Should_refuse_a_file_others_may_read(UnixFileMode mode, string expected)
    {
        var file = Write(Secret, mode);

        var refusal = Assert.Throws<ConfigurationException>(() => IoTSyncPersistenceSettings.FromConfig(Mirror(file), _ => null));

        Assert.StartsWith($"iotsync.persistence.postgresql.connection-string-file: {file} {expected}", refusal.Message);
        Assert.DoesNotContain("correct-horse-battery", refusal.Message);
    }

    [Fact]
    public void Should_refuse_a_missing_file_or_one_without_a_connection_string()
    {
        var missing = Assert.Throws<ConfigurationException>(() => IoTSyncPersistenceSettings.FromConfig(Mirror(Path.Combine(_directory, "none")), _ => null));
        var file = Write("Password=correct-horse-battery", UnixFileMode.UserRead);
        var empty = Assert.Throws<ConfigurationException>(() => IoTSyncPersistenceSettings.FromConfig(Mirror(file), _ => null));

        Assert.EndsWith("none does not exist", missing.Message);
        Assert.Contains("names no Host", empty.Message);
        Assert.DoesNotContain("correct-horse-battery", empty.Message);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
