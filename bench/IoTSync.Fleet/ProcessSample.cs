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
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which may hold spaces and parentheses): utime and stime are fields 14 and 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            var rssKb = File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
                .Select(l => long.Parse(l["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture)).FirstOrDefault();
            return new ProcessSample(ticks / TicksPerSecond, rssKb * 1024);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

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
