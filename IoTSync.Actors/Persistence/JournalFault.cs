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
    private const int NoSpaceLeft = 28;

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
