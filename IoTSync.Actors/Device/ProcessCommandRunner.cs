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
/// With a <paramref name="spool"/>, each command runs under <c>iotsync-command-runner</c> in a
/// session of its own, which enforces the timeout, kills the command's whole process group when it
/// must, and records the outcome durably, so a node killed or frozen meanwhile still learns the
/// real result (<see cref="OutcomeAfterRestart"/>).
/// </summary>
public sealed class ProcessCommandRunner(CommandPolicy policy, Security.Refusals? refusals = null, CommandSpool? spool = null) : ICommandRunner
{
    public Task<ResultFields> Run(ImmutableArray<string> argv, CancellationToken cancellationToken) => Run(null, argv, cancellationToken);

    public Task<ResultFields> Run(CommandRef command, ImmutableArray<string> argv, CancellationToken cancellationToken) =>
        Run((CommandRef?)command, argv, cancellationToken);

    public async Task<ResultFields?> OutcomeAfterRestart(CommandRef command, CancellationToken cancellationToken) =>
        spool is null
            ? null
            : await SpooledCommand.AwaitRecord(spool.Directory, CommandSpool.NameOf(command), () => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), cancellationToken)
                is { } record ? ResultOf(record) : null;

    public void Forget(CommandRef command)
    {
        if (spool is not null)
            SpooledCommand.Forget(spool.Directory, CommandSpool.NameOf(command));
    }

    private async Task<ResultFields> Run(CommandRef? command, ImmutableArray<string> argv, CancellationToken cancellationToken)
    {
        if (argv.IsDefaultOrEmpty || !policy.Allows(argv[0]))
            refusals?.Count(Security.Refusals.CommandNotAllowed);
        if (argv.IsDefaultOrEmpty)
            return new ResultFields(CommandOutcome.Refused, -1, "empty command", false, 0);
        if (!policy.Allows(argv[0]))
            return new ResultFields(CommandOutcome.Refused, -1, $"'{argv[0]}' is not in the device's allow-list", false, 0);

        var limits = new ChildProcessLimits(policy.Timeout, policy.OutputCapBytes);
        var clock = Stopwatch.StartNew();
        if (spool is not null && command is { } spooled)
        {
            var (record, problem) = await SpooledCommand.Run(spool.Runner, spool.Directory, CommandSpool.NameOf(spooled), argv, limits, cancellationToken);
            return record is null ? CommandRecorderState.CouldNotRun(problem) with { DurationMs = clock.ElapsedMilliseconds } : ResultOf(record);
        }
        ChildProcessResult run;
        try
        {
            run = await ChildProcess.Run(argv, limits, cancellationToken);
        }
        catch (Win32Exception e)
        {
            return new ResultFields(CommandOutcome.Failed, 127, $"could not start '{argv[0]}': {e.Message}", false, clock.ElapsedMilliseconds);
        }
        return run.Ending switch
        {
            ChildProcessEnding.Exited => new ResultFields(run.ExitCode == 0 ? CommandOutcome.Executed : CommandOutcome.Failed, run.ExitCode, run.Output,
                run.Truncated, clock.ElapsedMilliseconds),
            ChildProcessEnding.Cancelled => Killed(run.Output, run.Truncated, "cancelled", clock.ElapsedMilliseconds),
            _ => Killed(run.Output, run.Truncated, TimedOut(policy.Timeout), clock.ElapsedMilliseconds),
        };
    }

    /// <summary>
    /// The result the runner recorded. Its duration and its verdict on the timeout are the runner's
    /// own: a node frozen past the command's end does not turn it into "timed out".
    /// </summary>
    internal static ResultFields ResultOf(SpoolRecord record) => record.Ending switch
    {
        SpoolRecord.Exited => new ResultFields(record.ExitCode == 0 ? CommandOutcome.Executed : CommandOutcome.Failed, record.ExitCode, record.Output,
            record.Truncated, record.DurationMs),
        SpoolRecord.NotStarted => new ResultFields(CommandOutcome.Failed, 127, record.Output, false, record.DurationMs),
        SpoolRecord.Cancelled => Killed(record.Output, record.Truncated, "cancelled", record.DurationMs),
        _ => Killed(record.Output, record.Truncated, TimedOut(TimeSpan.FromMilliseconds(record.LimitMs)), record.DurationMs),
    };

    private static string TimedOut(TimeSpan limit) => $"timed out after {limit.TotalSeconds:0.###} s";

    private static ResultFields Killed(string output, bool truncated, string because, long durationMs) =>
        new(CommandOutcome.Failed, -1, output + $"[{because}; killed]", truncated, durationMs);
}
