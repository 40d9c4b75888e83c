using Microsoft.Data.Sqlite;

namespace IoTSync.Persistence;

/// <summary>
/// Names why a journal write or recovery failed, for the answer every caller gets while the actor is
/// down: <c>database full: …</c> (SQLITE_FULL, or no space left on the device), <c>disk I/O error: …</c>
/// (SQLITE_IOERR), otherwise <c>journal unavailable: …</c>.
/// </summary>
public static class JournalFault
{
    public const string DatabaseFull = "database full";
    public const string DiskIoError = "disk I/O error";
    public const string Unavailable = "journal unavailable";

    private const int SqliteFull = 13;
    private const int SqliteIoErr = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;
    private const int NoSpaceLeft = 28;

    /// <summary>
    /// Whether a recovery failed because the store could not be read for now (its circuit breaker open, a timeout,
    /// the database unreachable, busy or full, an I/O error) rather than because what it holds does not decode or
    /// the file is damaged: such a recovery is tried again after a back-off, not taken for corruption.
    /// </summary>
    public static bool IsStoreOutage(Exception cause)
    {
        foreach (var e in Chain(cause))
        {
            switch (e)
            {
                case SqliteException sqlite:
                    return sqlite.SqliteErrorCode is not (SqliteCorrupt or SqliteNotADatabase);
                case Akka.Pattern.OpenCircuitException or Akka.Persistence.RecoveryTimedOutException or TimeoutException or OperationCanceledException or IOException
                    or System.Net.Sockets.SocketException or System.Data.Common.DbException:
                    return true;
            }
        }
        return false;
    }

    public static string Describe(Exception cause)
    {
        foreach (var e in Chain(cause))
        {
            if (e is SqliteException sqlite)
            {
                switch (sqlite.SqliteErrorCode)
                {
                    case SqliteFull:
                        return $"{DatabaseFull}: {sqlite.Message}";
                    case SqliteIoErr:
                        return $"{DiskIoError}: {sqlite.Message}";
                }
            }
            if (e is IOException io && (io.HResult & 0xFFFF) == NoSpaceLeft)
                return $"{DatabaseFull}: {io.Message}";
        }
        return $"{Unavailable}: {cause.GetBaseException().Message}";
    }

    private static IEnumerable<Exception> Chain(Exception cause)
    {
        var pending = new Stack<Exception>([cause]);
        while (pending.TryPop(out var e))
        {
            yield return e;
            if (e is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions)
                    pending.Push(inner);
            else if (e.InnerException is { } inner)
                pending.Push(inner);
        }
    }
}
