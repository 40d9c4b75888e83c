namespace IoTSync.Processes;

/// <summary>The end of a child process and the output it wrote (standard output and error in arrival order).</summary>
/// <param name="Ending">Exited, or killed at the timeout or on cancellation.</param>
/// <param name="ExitCode">The exit code, or -1 when it was killed.</param>
/// <param name="Output">Standard output and error as UTF-8, up to the cap.</param>
/// <param name="Truncated">Output past the cap was dropped.</param>
public sealed record ChildProcessResult(ChildProcessEnding Ending, int ExitCode, string Output, bool Truncated);
