using Microsoft.Data.Sqlite;

namespace IoTSync.Persistence;

/// <summary>
/// The check a node makes of its database file before it opens it for writing: an existing file
/// must be a whole SQLite database. A file that is empty, not SQLite (zeroed, overwritten) or
/// damaged (truncated, pages corrupted) is refused with one reason, read without a write and left
/// exactly as it was: the persistence plugins would otherwise create their tables in it, or fail
/// in every actor with a stack trace each and a timeout. A missing file is a new node's.
/// </summary>
public static class DatabaseFile
{
    private static ReadOnlySpan<byte> SqliteHeader => "SQLite format 3\0"u8;

    /// <summary>Throws <see cref="UnusableDatabaseException"/> naming the file and the reason when it exists and is not a whole SQLite database.</summary>
    public static void EnsureUsable(string path)
    {
        if (Problem(path) is { } problem)
            throw new UnusableDatabaseException(path, problem);
    }

    /// <summary>Why the existing file at <paramref name="path"/> cannot be a node's database, or null (also when there is no file).</summary>
    public static string? Problem(string path)
    {
        if (!File.Exists(path))
            return null;
        var header = new byte[SqliteHeader.Length];
        int read;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            if (file.Length == 0)
                return "it is empty (0 bytes); a database a node has written never is";
            read = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        if (read < header.Length || !header.AsSpan().SequenceEqual(SqliteHeader))
            return "it is not a SQLite database (its first bytes are not SQLite's header)";
        try
        {
            // Immutable: the main file alone, no locks, and no -wal or -shm made beside it. The main file
            // is a whole database at its last checkpoint whatever a -wal holds after it.
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = new Uri(Path.GetFullPath(path)).AbsoluteUri + "?immutable=1",
                Mode = SqliteOpenMode.ReadOnly,
                Pooling = false,
            }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            // Reads every page once (not the indexes' consistency, which integrity_check would add).
            command.CommandText = "PRAGMA quick_check(3)";
            using var reader = command.ExecuteReader();
            var findings = new List<string>();
            while (reader.Read())
                findings.Add(reader.GetString(0));
            return findings is ["ok"] ? null : $"it is damaged: {string.Join("; ", findings)}";
        }
        catch (SqliteException e)
        {
            return $"it is damaged: {e.Message}";
        }
    }
}
