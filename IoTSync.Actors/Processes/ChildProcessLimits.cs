namespace IoTSync.Processes;

/// <summary>How long a child process may run and how much of its output is kept.</summary>
/// <param name="Timeout">Past this the process tree is killed; <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> for no limit.</param>
/// <param name="OutputCapBytes">Output bytes kept; the rest is read and dropped so the child never blocks on a full pipe.</param>
public sealed record ChildProcessLimits(TimeSpan Timeout, int OutputCapBytes)
{
    /// <summary>No timeout (only the caller's cancellation ends it) and no practical cap.</summary>
    public static ChildProcessLimits Unbounded { get; } = new(System.Threading.Timeout.InfiniteTimeSpan, int.MaxValue);
}
