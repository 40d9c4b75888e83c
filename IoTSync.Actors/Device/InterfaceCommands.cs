using System.Collections.Immutable;
using IoTSync.Processes;

namespace IoTSync.Device;

/// <summary>Runs the toggler's own commands through <see cref="ChildProcess"/>: argument vectors, no shell, failures as exceptions.</summary>
internal static class InterfaceCommands
{
    public static async Task Run(ImmutableArray<string> argv, CancellationToken cancellationToken)
    {
        var run = await Execute(argv, cancellationToken);
        if (run.ExitCode != 0)
            throw new IOException($"'{string.Join(' ', argv)}' exited {run.ExitCode}: {run.Output.Trim()}");
    }

    public static async Task<string> Output(ImmutableArray<string> argv, CancellationToken cancellationToken)
    {
        var run = await Execute(argv, cancellationToken);
        return run.ExitCode == 0 ? run.Output : "";
    }

    public static async Task<bool> Succeeds(ImmutableArray<string> argv, CancellationToken cancellationToken) =>
        (await Execute(argv, cancellationToken)).ExitCode == 0;

    private static async Task<ChildProcessResult> Execute(ImmutableArray<string> argv, CancellationToken cancellationToken)
    {
        var run = await ChildProcess.Run(argv, ChildProcessLimits.Unbounded, cancellationToken);
        // The toggler's commands have no timeout of their own: the cycle's cancellation is the only end, and it propagates.
        if (run.Ending != ChildProcessEnding.Exited)
            throw new OperationCanceledException(cancellationToken);
        return run;
    }
}
