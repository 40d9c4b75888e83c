using System.Globalization;

namespace IoTSync.Hosting;

/// <summary>
/// One node per state: an exclusive lock on <c>DATABASE.lock</c> beside the node's database, taken first
/// thing at start, before the node binds a port or a socket or touches its interface, and held until the
/// process ends (the kernel drops it with the process, however it ends; a stale file is simply locked
/// again). A second node on the same configuration is refused in one line naming the holder's pid.
/// </summary>
/// <remarks>
/// A POSIX record lock (<see cref="FileStream.Lock"/>, fcntl) on the file's first byte rather than flock:
/// .NET itself takes a shared flock on every file it opens, so a file held with an exclusive flock could
/// not even be opened by the second node to read the holder's pid. A record lock is dropped when the
/// process closes any descriptor of the file; nothing else in the node opens it.
/// </remarks>
public sealed class NodeLock : IDisposable
{
    private readonly FileStream _file;

    private NodeLock(FileStream file, string path)
    {
        _file = file;
        Path = path;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>The lock file of the node whose database is <paramref name="databasePath"/>.</summary>
    public static string PathFor(string databasePath) => System.IO.Path.GetFullPath(databasePath) + ".lock";

    /// <summary>
    /// Takes the lock of the node (<paramref name="node"/>: "device" or "mirror") whose database is
    /// <paramref name="databasePath"/>, and writes this process's pid in it; an <see cref="IOException"/>
    /// naming the holder when another process holds it.
    /// </summary>
    public static NodeLock Acquire(string databasePath, string node)
    {
        if (OperatingSystem.IsMacOS())
            throw new PlatformNotSupportedException("the node's lock needs POSIX record locks as .NET offers them on Linux");
        var path = PathFor(databasePath);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        }
        catch (DirectoryNotFoundException)
        {
            throw new IOException($"cannot lock the {node} node's state: the directory of {databasePath} does not exist");
        }
        try
        {
            file.Lock(0, 1);
        }
        catch (IOException)
        {
            var holder = Holder(file);
            file.Dispose();
            throw new IOException($"another {node} node{(holder is { } pid ? $" (pid {pid})" : "")} is running on this configuration: it holds {path}; stop it first");
        }
        file.SetLength(0);
        file.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
        file.Flush();
        return new NodeLock(file, path);
    }

    /// <summary>The pid the holder wrote, when it did already.</summary>
    private static int? Holder(FileStream file)
    {
        try
        {
            file.Position = 0;
            using var reader = new StreamReader(file, leaveOpen: true);
            return int.TryParse(reader.ReadLine(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Releases the lock (the process's end does as well).</summary>
    public void Dispose() => _file.Dispose();
}
