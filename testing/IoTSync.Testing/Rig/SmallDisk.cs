using IoTSync.Testing.Processes;

namespace IoTSync.Testing.Rig;

/// <summary>
/// A small tmpfs mounted on a temporary directory, for a node's database to meet a full disk: <see cref="Fill"/>
/// takes the rest of its space with a file, <see cref="Free"/> deletes that file. Mounting needs root on Linux
/// (<see cref="Unavailable"/>); disposing unmounts it and removes the directory.
/// </summary>
public sealed class SmallDisk : IAsyncDisposable
{
    private SmallDisk(string directory) => Directory = directory;

    public string Directory { get; }

    private string FillFile => Path.Combine(Directory, "fill");

    /// <summary>Why a small disk cannot be mounted here, or null.</summary>
    public static string? Unavailable() =>
        !OperatingSystem.IsLinux() ? "a tmpfs needs Linux"
        : !Environment.IsPrivilegedProcess ? "mounting a tmpfs needs root"
        : null;

    /// <summary>A tmpfs of <paramref name="size"/> (mount's syntax: <c>8m</c>) on a new temporary directory.</summary>
    public static async Task<SmallDisk> Mount(string size = "8m")
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("iotsync-small-disk-").FullName;
        var mounted = await ProcessRunner.Run(["mount", "-t", "tmpfs", "-o", $"size={size},mode=0755", "tmpfs", directory]);
        if (!mounted.Succeeded)
        {
            System.IO.Directory.Delete(directory);
            throw new InvalidOperationException($"mount tmpfs on {directory}: {mounted}");
        }
        return new SmallDisk(directory);
    }

    /// <summary>Writes a file until the disk has no space left; its size.</summary>
    public long Fill()
    {
        using var handle = File.OpenHandle(FillFile, FileMode.Create, FileAccess.Write);
        long written = 0;
        foreach (var size in new[] { 1 << 20, 64 << 10, 4 << 10, 512 })
        {
            var block = new byte[size];
            try
            {
                while (true)
                {
                    RandomAccess.Write(handle, block, written);
                    written += size;
                }
            }
            catch (IOException)
            {
                // No space left for a block this size: try smaller ones.
            }
        }
        return written;
    }

    /// <summary>Deletes the file <see cref="Fill"/> wrote.</summary>
    public void Free() => File.Delete(FillFile);

    public async ValueTask DisposeAsync()
    {
        // Lazily: a node that still holds a file there must not keep the mount (and the test) hanging.
        await ProcessRunner.Run(["umount", "-l", Directory]);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
