using System.Globalization;

namespace IoTSync.Fleet;

/// <summary>A process's CPU time (user and system) and resident memory at one moment, from /proc/PID.</summary>
public sealed record ProcessSample(double CpuSeconds, long RssBytes)
{
    // USER_HZ, what /proc/PID/stat counts in: 100 on every Linux architecture the project builds for.
    private const double TicksPerSecond = 100;

    /// <summary>The sample, or null when the process or /proc cannot be read.</summary>
    public static ProcessSample? Of(int pid)
    {
        try
        {
            var fields = Fields(pid);
            var ticks = Ticks(fields, 11) + Ticks(fields, 12);
            var rssKb = File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
                .Select(l => long.Parse(l["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture)).FirstOrDefault();
            return new ProcessSample(ticks / TicksPerSecond, rssKb * 1024);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>
    /// A server and its worker processes (PostgreSQL's postmaster and its backends) as one: CPU of the server, of its
    /// children that ended (cutime and cstime, once it reaped them) and of those still running; RSS the server's own
    /// (each backend's RSS counts the shared buffers again). Null when the server cannot be read.
    /// </summary>
    public static ProcessSample? OfTree(int serverPid)
    {
        try
        {
            var server = Fields(serverPid);
            var ticks = Ticks(server, 11) + Ticks(server, 12) + Ticks(server, 13) + Ticks(server, 14);
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == serverPid)
                    continue;
                try
                {
                    var child = Fields(pid);
                    if (Ticks(child, 1) == serverPid)
                        ticks += Ticks(child, 11) + Ticks(child, 12);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
                {
                    // A process that ended while /proc was read.
                }
            }
            return new ProcessSample(ticks / TicksPerSecond, Of(serverPid)?.RssBytes ?? 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    // The fields of /proc/PID/stat after the command name (which may hold spaces and parentheses): field 4 (ppid) at 1,
    // utime, stime, cutime and cstime (fields 14 to 17) at 11 to 14.
    private static string[] Fields(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    private static long Ticks(string[] fields, int index) => long.Parse(fields[index], CultureInfo.InvariantCulture);

    /// <summary>What the process spent between <paramref name="first"/> and <paramref name="last"/>, over <paramref name="seconds"/> and <paramref name="devices"/>.</summary>
    public static ProcessCost? Cost(int pid, ProcessSample? first, ProcessSample? last, double seconds, int devices)
    {
        if ((first, last) is not ({ } start, { } end))
            return null;
        var cpu = end.CpuSeconds - start.CpuSeconds;
        var thousands = devices / 1000.0;
        return new ProcessCost(pid, cpu, cpu / seconds, cpu / thousands, end.RssBytes, end.RssBytes / 1048576.0 / thousands);
    }
}
