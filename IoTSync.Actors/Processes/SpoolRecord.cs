using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace IoTSync.Processes;

/// <summary>
/// The outcome of one device command as <c>iotsync-command-runner</c> leaves it in the spool
/// directory, written to a temporary file, flushed to disk and renamed into place, so it survives
/// the node (and the runner): <c>NAME.result</c>, JSON. Beside it, <c>NAME.runner</c> says which
/// process runs the command, since when and for how long at most: a node that restarts while the
/// command runs waits for the record instead of calling it interrupted. This file is compiled into
/// both the node and the runner.
/// </summary>
/// <param name="Ending">How it ended: <see cref="Exited"/>, <see cref="TimedOut"/>, <see cref="Cancelled"/> or <see cref="NotStarted"/>.</param>
/// <param name="ExitCode">The command's exit code when it exited; otherwise -1 (127 when it could not start).</param>
/// <param name="Output">Standard output and error in arrival order, up to the cap; why it could not start when it did not.</param>
/// <param name="Truncated">Output past the cap was dropped.</param>
/// <param name="DurationMs">From the command's start to its end, measured by the runner (a frozen node does not stretch it).</param>
/// <param name="LimitMs">The timeout the runner enforced.</param>
internal sealed record SpoolRecord(string Ending, int ExitCode, string Output, bool Truncated, long DurationMs, long LimitMs)
{
    public const string Exited = "exited";
    public const string TimedOut = "timed-out";
    public const string Cancelled = "cancelled";
    public const string NotStarted = "not-started";

    public static string ResultFile(string spool, string name) => Path.Combine(spool, name + ".result");

    public static string RunnerFile(string spool, string name) => Path.Combine(spool, name + ".runner");

    public byte[] Encode()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("ending", Ending);
            json.WriteNumber("exitCode", ExitCode);
            json.WriteString("output", Output);
            json.WriteBoolean("truncated", Truncated);
            json.WriteNumber("durationMs", DurationMs);
            json.WriteNumber("limitMs", LimitMs);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>The record in <paramref name="file"/>, or null when there is none (or only a torn one, which a rename never leaves).</summary>
    public static SpoolRecord? Read(string file)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            var root = document.RootElement;
            return new SpoolRecord(root.GetProperty("ending").GetString() ?? "", root.GetProperty("exitCode").GetInt32(),
                root.GetProperty("output").GetString() ?? "", root.GetProperty("truncated").GetBoolean(),
                root.GetProperty("durationMs").GetInt64(), root.GetProperty("limitMs").GetInt64());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Writes the record so that it is either whole on disk or absent: temporary file, fsync, rename, fsync of the directory.</summary>
    public void WriteDurably(string spool, string name) => WriteDurably(ResultFile(spool, name), Encode());

    /// <summary>The runner's line: its process id, when the command started (Unix ms) and its limit in ms.</summary>
    public static string RunnerLine(int pid, long startedUnixMs, long limitMs) =>
        string.Create(CultureInfo.InvariantCulture, $"{pid} {startedUnixMs} {limitMs}\n");

    /// <summary>Reads <see cref="RunnerLine"/>; null when absent or unreadable.</summary>
    public static (int Pid, long StartedUnixMs, long LimitMs)? ReadRunner(string file)
    {
        try
        {
            var parts = File.ReadAllText(file).Split(' ', StringSplitOptions.TrimEntries);
            return parts.Length == 3
                   && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                   && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var started)
                   && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var limit)
                ? (pid, started, limit)
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes <paramref name="content"/> whole or not at all (temporary file, rename); <paramref name="durable"/>:
    /// flushed to disk, the rename too, so it survives a power loss as well as the processes.
    /// </summary>
    public static void WriteDurably(string file, byte[] content, bool durable = true)
    {
        var temporary = file + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: durable);
        }
        File.Move(temporary, file, overwrite: true);
        if (durable)
            SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
    }

    /// <summary>Makes a rename in <paramref name="directory"/> durable (.NET cannot open a directory to flush it).</summary>
    private static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
            return;
        var fd = Native.Open(directory, 0);
        if (fd < 0)
            return;
        Native.Fsync(fd);
        Native.Close(fd);
    }

    private static class Native
    {
        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static extern int Fsync(int fd);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        public static extern int Close(int fd);
    }
}
