using System.Globalization;
using IoTSync.Hosting;
using IoTSync.Inspection;
using IoTSync.Persistence;
using Microsoft.Data.Sqlite;

namespace IoTSync.Backup;

/// <summary>
/// <c>backup</c> and <c>restore</c> of a node's SQLite database. A backup is SQLite's <c>VACUUM INTO</c>
/// on a read-only connection beside the running writer: one read transaction, so a consistent copy of
/// the last commit before it began, while the node (WAL mode) goes on writing undisturbed; the same
/// on a stopped node's file. A copy counts only once <see cref="JournalVerification"/> (what <c>journal
/// verify</c> runs) holds on it; one that does not is deleted. A restore takes the node's lock
/// (<see cref="NodeLock"/>), so it is refused while a node runs on that database, verifies the backup
/// first, and keeps the database it replaces beside it, renamed, never deleted.
/// </summary>
public static class NodeBackup
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Copies the database at <paramref name="databasePath"/> to <paramref name="outPath"/> (a new file, 0600) and verifies the copy.
    /// When the copy does not hold it is deleted and the result says why.
    /// </summary>
    public static async Task<VerificationResult> Take(NodeRole role, string databasePath, string outPath, CancellationToken cancellationToken = default)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("a backup is written owner-only and needs Unix permissions");
        var source = Path.GetFullPath(databasePath);
        var target = Path.GetFullPath(outPath);
        if (!File.Exists(source))
            throw new InspectionException($"no database at {source}: nothing to back up (point --config at the node's configuration)");
        if (target == source)
            throw new IOException("--out is the node's own database");
        if (File.Exists(target) || Directory.Exists(target))
            throw new IOException($"--out: {target} exists; a backup is written to a new file only");
        // Owner-only from creation: the journal holds everything the node recorded. VACUUM INTO fills an existing empty file.
        new FileStream(target, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }).Dispose();
        try
        {
            Copy(source, target);
            var result = await Verify(role, target, cancellationToken);
            if (!result.Holds)
                Delete(target);
            return result;
        }
        catch
        {
            Delete(target);
            throw;
        }
    }

    /// <summary>What <c>journal verify</c> finds in <paramref name="path"/>, after SQLite's own page check.</summary>
    public static async Task<VerificationResult> Verify(NodeRole role, string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
            throw new InspectionException($"no backup at {Path.GetFullPath(path)}");
        if (DatabaseFile.Problem(path) is { } problem)
            return new VerificationResult([], [new SourcedFinding(path, new Finding(null, FindingPlace.Document, 0, null, $"not a usable database: {problem}"))], null);
        return await JournalVerification.Run(new VerifyRequest(role, path, null, null, null), cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Replaces the stopped node's database at <paramref name="databasePath"/> with the backup at
    /// <paramref name="fromPath"/>. Refused (an <see cref="IOException"/> naming the holder) while a
    /// node holds the database's lock; nothing changes unless the backup verifies and, when
    /// <paramref name="expectedDevice"/> is given, holds that device's log and no other.
    /// </summary>
    /// <returns>The verification, and where the replaced database was set aside (null when there was none or the backup did not verify).</returns>
    public static async Task<(VerificationResult Result, string? SetAside)> Restore(NodeRole role, string databasePath, string fromPath,
        string? expectedDevice, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("a restore writes owner-only files and needs Unix permissions");
        var database = Path.GetFullPath(databasePath);
        var backup = Path.GetFullPath(fromPath);
        if (!File.Exists(backup))
            throw new IOException($"--from: {backup} does not exist");
        if (backup == database)
            throw new IOException("--from is the node's own database");
        var directory = Path.GetDirectoryName(database)!;
        if (!Directory.Exists(directory))
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // Held to the end: no node starts on the database while it is being replaced.
        using var held = NodeLock.Acquire(database, role.Name());
        var result = await Verify(role, backup, cancellationToken);
        if (!result.Holds)
            return (result, null);
        // Verified as this node's journal, the other node's database holds no log of this role and would pass empty.
        if (HoldsActorsOf(backup, role.Other()))
            throw new InspectionException($"{backup} is a {role.Other().Name()} node's database, not a {role.Name()} node's");
        if (expectedDevice is not null && result.Copies.FirstOrDefault(c => c.Device.Value != expectedDevice) is { } stranger)
            throw new InspectionException($"{backup} holds device {stranger.Device}'s log; this node is device {expectedDevice}");
        string? aside = null;
        if (File.Exists(database))
        {
            aside = $"{database}.replaced-{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
            if (File.Exists(aside))
                throw new IOException($"{aside} exists already; try again in a second");
            // The -wal and -shm go with their database: a stale WAL beside the restored file would be applied to it.
            foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
                if (File.Exists(database + suffix))
                {
                    File.Move(database + suffix, aside + suffix);
                    File.SetUnixFileMode(aside + suffix, OwnerOnly);
                }
        }
        var incoming = database + ".restoring";
        File.Delete(incoming);
        using (var reader = new FileStream(backup, FileMode.Open, FileAccess.Read, FileShare.Read))
        using (var writer = new FileStream(incoming, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
        {
            await reader.CopyToAsync(writer, cancellationToken);
            writer.Flush(flushToDisk: true);
        }
        File.Move(incoming, database);
        return (result, aside);
    }

    /// <summary>Whether the database at <paramref name="path"/> holds events of <paramref name="role"/>'s log-holding actor.</summary>
    private static bool HoldsActorsOf(string path, NodeRole role)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = new Uri(path).AbsoluteUri + "?immutable=1",
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM journal WHERE substr(persistence_id, 1, length($prefix)) = $prefix)";
        command.Parameters.AddWithValue("$prefix", role.PersistenceIdPrefix());
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 1;
    }

    /// <summary>VACUUM INTO on a read-only connection: the writer is neither blocked nor written to.</summary>
    private static void Copy(string source, string target)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = source,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "VACUUM INTO $target";
        command.Parameters.AddWithValue("$target", target);
        command.CommandTimeout = 0;
        command.ExecuteNonQuery();
    }

    private static void Delete(string path)
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
            File.Delete(path + suffix);
    }
}
