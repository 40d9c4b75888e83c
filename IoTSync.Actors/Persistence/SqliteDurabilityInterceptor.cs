using System.Data.Common;
using LinqToDB.Interceptors;

namespace IoTSync.Persistence;

/// <summary>
/// linq2db connection interceptor that puts every connection it sees into WAL mode and sets its
/// <c>synchronous</c> level, right after the connection opens and before linq2db runs anything on it.
/// </summary>
/// <remarks>
/// <c>synchronous</c> belongs to the connection, not to the database file, and SQLite's compiled
/// default is not something to rely on; so it is set explicitly on every open, including opens of
/// pooled handles. <c>journal_mode=WAL</c> is stored in the file after the first success, and setting
/// it again is a no-op. A database that refuses WAL (an in-memory database, a file system without
/// shared memory) fails the open instead of silently running with another journal mode.
/// </remarks>
public sealed class SqliteDurabilityInterceptor : ConnectionInterceptor
{
    private readonly string _synchronousPragma;
    private readonly Action<DbConnection>? _observer;

    /// <param name="synchronous">The level every opened connection gets.</param>
    /// <param name="observer">
    /// Called on each opened connection after the pragmas have run and before linq2db uses it;
    /// tests use it to inspect the real plugin connections. Exceptions it throws fail the open.
    /// </param>
    public SqliteDurabilityInterceptor(SqliteSynchronous synchronous, Action<DbConnection>? observer = null)
    {
        if (!Enum.IsDefined(synchronous))
            throw new ArgumentOutOfRangeException(nameof(synchronous), synchronous, "Not a SQLite synchronous level.");
        Synchronous = synchronous;
        _synchronousPragma = $"PRAGMA synchronous={synchronous.ToString().ToUpperInvariant()};";
        _observer = observer;
    }

    /// <summary>The level this interceptor sets.</summary>
    public SqliteSynchronous Synchronous { get; }

    public override void ConnectionOpened(ConnectionEventData eventData, DbConnection connection)
    {
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA journal_mode=WAL;";
            EnsureWal(command.ExecuteScalar(), connection);
        }

        using (var command = connection.CreateCommand())
        {
            command.CommandText = _synchronousPragma;
            command.ExecuteNonQuery();
        }

        _observer?.Invoke(connection);
    }

    public override async Task ConnectionOpenedAsync(ConnectionEventData eventData, DbConnection connection, CancellationToken cancellationToken)
    {
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA journal_mode=WAL;";
            EnsureWal(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), connection);
        }

        await using (var command = connection.CreateCommand())
        {
            command.CommandText = _synchronousPragma;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        _observer?.Invoke(connection);
    }

    private static void EnsureWal(object? reportedMode, DbConnection connection)
    {
        // SQLite answers with the mode now in force; it keeps the old one when WAL is impossible.
        if (!string.Equals(reportedMode as string, "wal", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException(
                $"SQLite database '{connection.DataSource}' refused journal_mode=WAL (it reports '{reportedMode}'); " +
                "the journal needs a WAL-capable database file.");
    }
}
