using System.Collections.Immutable;
using System.ComponentModel;
using System.Diagnostics;
using IoTSync.Logs;
using IoTSync.Processes;

namespace IoTSync.Device;

/// <summary>
/// Runs a device command as a real process from its argument vector — never through a shell —
/// under a <see cref="CommandPolicy"/>: programs outside the allow-list are refused, a command
/// past its timeout is killed with its children, and output beyond the cap is dropped (and the
/// result says it was truncated). Standard output and error are kept in the order they arrived.
/// A refusal is counted in <paramref name="refusals"/>; the recorded result carries the reason.
/// </summary>
public sealed class ProcessCommandRunner(CommandPolicy policy, Security.Refusals? refusals = null) : ICommandRunner
{
    public async Task<ResultFields> Run(ImmutableArray<string> argv, CancellationToken cancellationToken)
    {
        if (argv.IsDefaultOrEmpty || !policy.Allows(argv[0]))
            refusals?.Count(Security.Refusals.CommandNotAllowed);
        if (argv.IsDefaultOrEmpty)
            return new ResultFields(CommandOutcome.Refused, -1, "empty command", false, 0);
        if (!policy.Allows(argv[0]))
            return new ResultFields(CommandOutcome.Refused, -1, $"'{argv[0]}' is not in the device's allow-list", false, 0);

        var clock = Stopwatch.StartNew();
        ChildProcessResult run;
        try
        {
            run = await ChildProcess.Run(argv, new ChildProcessLimits(policy.Timeout, policy.OutputCapBytes), cancellationToken);
        }
        catch (Win32Exception e)
        {
            return new ResultFields(CommandOutcome.Failed, 127, $"could not start '{argv[0]}': {e.Message}", false, clock.ElapsedMilliseconds);
        }
        return run.Ending switch
        {
            ChildProcessEnding.Exited => new ResultFields(run.ExitCode == 0 ? CommandOutcome.Executed : CommandOutcome.Failed, run.ExitCode, run.Output,
                run.Truncated, clock.ElapsedMilliseconds),
            ChildProcessEnding.Cancelled => Killed(run, "cancelled", clock),
            _ => Killed(run, $"timed out after {policy.Timeout.TotalSeconds:0.###} s", clock),
        };
    }

    private static ResultFields Killed(ChildProcessResult run, string because, Stopwatch clock) =>
        new(CommandOutcome.Failed, -1, run.Output + $"[{because}; killed]", run.Truncated, clock.ElapsedMilliseconds);
}
