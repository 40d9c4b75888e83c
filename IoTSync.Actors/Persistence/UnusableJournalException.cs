namespace IoTSync.Persistence;

/// <summary>A node's PostgreSQL journal that cannot be used at start (<see cref="PostgresDatabase"/>): unreachable, credentials refused, no database.</summary>
public sealed class UnusableJournalException(string location, string reason)
    : IOException($"cannot use the PostgreSQL journal {location}: {reason}; nothing was written (check the server and iotsync.persistence.postgresql.connection-string-file)")
{
    /// <summary>The journal's description, without secrets.</summary>
    public string Location { get; } = location;

    public string Reason { get; } = reason;
}
