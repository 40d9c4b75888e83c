using System.Runtime.InteropServices;

namespace IoTSync.Hosting;

/// <summary>
/// Keeps a node's state owner-only from creation: the process's umask is set to 077 before any file
/// is made, so the database, SQLite's <c>-wal</c> and <c>-shm</c> files (which SQLite gives the
/// database's mode), the journal's snapshots and the keys are 0600 and new directories 0700 without a
/// moment of being readable by others; and the state directory itself is made, or tightened to, 0700.
/// </summary>
public static class OwnerOnlyFiles
{
    /// <summary>Group and others get nothing on what this process creates from now on.</summary>
    public const int Umask = 0b000_111_111;

    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Sets the umask (process-wide) and returns the previous one.</summary>
    public static int Restrict()
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("owner-only state needs Unix file permissions");
        return umask(Umask);
    }

    /// <summary>
    /// Makes <paramref name="directory"/> 0700, creating it so, or tightening an existing one that
    /// grants group or others anything. Returns what was done, for the start-up log, or null.
    /// </summary>
    public static string? StateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("owner-only state needs Unix file permissions");
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, DirectoryMode);
            return $"state directory {directory} created 0700";
        }
        var mode = File.GetUnixFileMode(directory);
        if ((mode & ~DirectoryMode) == 0)
            return null;
        File.SetUnixFileMode(directory, mode & DirectoryMode);
        return $"state directory {directory} was open to group or others ({Octal(mode)}); now {Octal(mode & DirectoryMode)}";
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');

    // umask(2) cannot fail; it returns the previous mask.
    [DllImport("libc")]
    private static extern int umask(int mask);
}
