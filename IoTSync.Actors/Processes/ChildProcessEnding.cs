namespace IoTSync.Processes;

/// <summary>How a child process ended.</summary>
public enum ChildProcessEnding
{
    /// <summary>It exited on its own; <see cref="ChildProcessResult.ExitCode"/> is its exit code.</summary>
    Exited,

    /// <summary>Killed, with its children, at the timeout.</summary>
    TimedOut,

    /// <summary>Killed, with its children, because the caller cancelled.</summary>
    Cancelled,
}
