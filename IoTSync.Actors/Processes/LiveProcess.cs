namespace IoTSync.Processes;

/// <summary>Whether a process runs, as /proc shows it.</summary>
public static class LiveProcess
{
    /// <summary>
    /// Alive and not a zombie waiting to be reaped: a process whose parent died is adopted by whoever
    /// is init here, which (in a container) may never reap it.
    /// </summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
