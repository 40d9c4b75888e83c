using System.Collections.Immutable;
using System.Diagnostics;

namespace IoTSync.Processes;

/// <summary>
/// The node's one way to run a program: an argument vector started without a shell, standard
/// input closed, standard output and error kept together in arrival order up to a byte cap, and a
/// timeout or a cancellation that kills the whole process tree. A program that cannot be started
/// throws <see cref="System.ComponentModel.Win32Exception"/>; everything after the start is in the
/// <see cref="ChildProcessResult"/>.
/// </summary>
public static class ChildProcess
{
    /// <summary>Runs <paramref name="argv"/> to its end, its timeout or the cancellation, whichever comes first.</summary>
    public static async Task<ChildProcessResult> Run(ImmutableArray<string> argv, ChildProcessLimits limits, CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = ChildStartInfo.For(argv) };
        process.Start();
        process.StandardInput.Close();
        var output = new CappedOutput(limits.OutputCapBytes);
        var readers = Task.WhenAll(
            output.Drain(process.StandardOutput.BaseStream),
            output.Drain(process.StandardError.BaseStream));

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (limits.Timeout != Timeout.InfiniteTimeSpan)
            deadline.CancelAfter(limits.Timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            await readers.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            var ending = cancellationToken.IsCancellationRequested ? ChildProcessEnding.Cancelled : ChildProcessEnding.TimedOut;
            return new ChildProcessResult(ending, -1, output.Text, output.Truncated);
        }
        return new ChildProcessResult(ChildProcessEnding.Exited, process.ExitCode, output.Text, output.Truncated);
    }

}
