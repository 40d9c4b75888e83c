using Akka.Configuration;
using Npgsql;

namespace IoTSync.Persistence;

/// <summary>
/// The mirror's PostgreSQL journal: the Npgsql connection string, read from an owner-only file named by
/// <c>iotsync.persistence.postgresql.connection-string-file</c> (never written in HOCON or code, since it
/// may hold a password).
/// </summary>
/// <remarks>
/// A class, not a record, so that no generated <c>ToString</c> or log line can print the connection
/// string: <see cref="ToString"/> gives <see cref="Description"/>, which has no password.
/// </remarks>
public sealed class PostgresSettings
{
    /// <param name="connectionString">An Npgsql connection string; it must name a host and a database.</param>
    /// <param name="connectionStringFile">The file it was read from, for messages; null when given in code (tests).</param>
    /// <exception cref="ArgumentException">Not an Npgsql connection string, or no host or database in it.</exception>
    public PostgresSettings(string connectionString, string? connectionStringFile = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            // The parser's message may quote the text, password included: name the problem only.
            throw new ArgumentException($"not an Npgsql connection string ({e.GetType().Name})", nameof(connectionString));
        }
        if (string.IsNullOrWhiteSpace(builder.Host))
            throw new ArgumentException("the connection string names no Host", nameof(connectionString));
        if (string.IsNullOrWhiteSpace(builder.Database))
            throw new ArgumentException("the connection string names no Database", nameof(connectionString));
        ConnectionString = builder.ConnectionString;
        ConnectionStringFile = connectionStringFile;
        Host = builder.Host;
        Port = builder.Port;
        Database = builder.Database;
        Username = builder.Username;
    }

    /// <summary>The connection string, password included: hand it to Npgsql or linq2db only, never to a log.</summary>
    public string ConnectionString { get; }

    /// <summary>The owner-only file the connection string came from; null when given in code.</summary>
    public string? ConnectionStringFile { get; }

    public string Host { get; }

    public int Port { get; }

    public string Database { get; }

    /// <summary>The user name, or null when Npgsql is to take the OS user's.</summary>
    public string? Username { get; }

    /// <summary>Where the journal is, without secrets: <c>postgresql://USER@HOST:PORT/DATABASE</c>.</summary>
    public string Description => $"postgresql://{(Username is null ? "" : Username + "@")}{Host}:{Port}/{Database}";

    public override string ToString() => Description;

    /// <summary>
    /// Reads the connection string from <paramref name="file"/>: it must exist and be readable by its owner
    /// only (like the node's keys); its text, trimmed, is the connection string.
    /// </summary>
    /// <param name="file">The file; a relative path is taken from the working directory.</param>
    /// <param name="key">The key (or environment variable) that named the file, for messages.</param>
    /// <exception cref="ConfigurationException">The file is missing, readable by others, or does not hold a usable connection string.</exception>
    public static PostgresSettings FromFile(string file, string key)
    {
        if (string.IsNullOrWhiteSpace(file))
            throw new ConfigurationException($"{key} must be set: the file holding the PostgreSQL connection string (never the string itself)");
        var path = Path.GetFullPath(file);
        if (!File.Exists(path))
            throw new ConfigurationException($"{key}: {path} does not exist");
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            throw new ConfigurationException($"{key}: {path} is readable or writable by group or others; it may hold a password (chmod 600 it)");
        try
        {
            return new PostgresSettings(File.ReadAllText(path).Trim(), path);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"{key}: {path}: {e.Message}");
        }
    }
}
