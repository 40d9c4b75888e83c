using IoTSync.Persistence;
using Microsoft.Data.Sqlite;

namespace IoTSync.Tests.Persistence;

/// <summary>
/// A SQLite file in a fresh temporary directory, removed with its -wal/-shm files on dispose.
/// </summary>
public sealed class TempDatabase : IDisposable
{
    private readonly string _directory;

    public TempDatabase()
    {
        _directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "iotsync-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        Path = System.IO.Path.Combine(_directory, "journal.db");
    }

    public string Path { get; }

    /// <summary>Runs one scalar query on a connection of the test's own, outside the plugins.</summary>
    public object? Scalar(string sql)
    {
        using var connection = new SqliteConnection(SqlitePersistence.ConnectionString(Path));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        // Idle pooled connections keep the file open; let them go before deleting it.
        SqlitePersistence.ClearPool(Path);
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
