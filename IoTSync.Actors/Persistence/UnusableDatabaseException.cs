namespace IoTSync.Persistence;

/// <summary>A node's database file that exists but is not a whole SQLite database (<see cref="DatabaseFile"/>).</summary>
public sealed class UnusableDatabaseException(string path, string reason)
    : IOException($"cannot use the database {path}: {reason}; the file was left as it is (restore it from a backup, or move it away to start afresh)")
{
    public string DatabasePath { get; } = path;

    public string Reason { get; } = reason;
}
