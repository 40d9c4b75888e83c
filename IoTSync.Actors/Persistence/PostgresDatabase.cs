using System.Net.Sockets;
using Npgsql;

namespace IoTSync.Persistence;

/// <summary>
/// The check a mirror node makes of its PostgreSQL journal before it starts, the counterpart of
/// <see cref="DatabaseFile"/>: the server must answer, take the credentials and have the database. What
/// goes wrong is said in one line naming the server (never the password), and nothing is written: the
/// plugins would otherwise fail in every actor with a stack trace each and a timeout.
/// </summary>
public static class PostgresDatabase
{
    /// <summary>How long the check waits for the server before it calls it unreachable.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="UnusableJournalException"/> naming the server and the reason when the journal cannot be used.</summary>
    public static void EnsureReachable(PostgresSettings postgres)
    {
        if (Problem(postgres) is { } problem)
            throw new UnusableJournalException(postgres.Description, problem);
    }

    /// <summary>Why the journal at <paramref name="postgres"/> cannot be used, or null: one connection, <c>SELECT 1</c>, closed.</summary>
    public static string? Problem(PostgresSettings postgres)
    {
        ArgumentNullException.ThrowIfNull(postgres);
        var builder = new NpgsqlConnectionStringBuilder(postgres.ConnectionString)
        {
            Timeout = (int)Timeout.TotalSeconds,
            CommandTimeout = (int)Timeout.TotalSeconds,
            // A connection of its own, not one the plugins' pool would later hand out.
            Pooling = false,
        };
        try
        {
            using var connection = new NpgsqlConnection(builder.ConnectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            command.ExecuteScalar();
            return null;
        }
        catch (PostgresException e)
        {
            return e.SqlState switch
            {
                PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
                    $"the server refused the credentials of user {postgres.Username ?? "(the OS user)"}: {e.MessageText}",
                PostgresErrorCodes.InvalidCatalogName => $"the server has no database {postgres.Database}: {e.MessageText}",
                _ => $"the server answered {e.SqlState}: {e.MessageText}",
            };
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or IOException)
        {
            return $"cannot reach the server at {postgres.Host}:{postgres.Port}: {e.GetBaseException().Message}";
        }
    }

    /// <summary>The database's size on the server in bytes (<c>pg_database_size</c>), read on a connection of its own.</summary>
    public static long SizeBytes(PostgresSettings postgres)
    {
        ArgumentNullException.ThrowIfNull(postgres);
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT pg_database_size(current_database())";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
