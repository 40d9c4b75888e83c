using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Processes;
using Xunit;

namespace IoTSync.Tests.Device;

/// <summary>
/// Commands run under <c>iotsync-command-runner</c> with a spool (issue 11, fault 6): the result
/// as without it, the timeout enforced by the runner on the command's whole process group, and the
/// outcome of a command that ends while no node waits for it found by the next one.
/// </summary>
public sealed class SpooledCommandRunnerSpecs : IDisposable
{
    private static readonly CommandPolicy Policy = new(["echo", "sh", "no-such-program-iotsync"], TimeSpan.FromSeconds(20), 4096);
    private readonly string _dir = Directory.CreateTempSubdirectory("iotsync-spool-").FullName;

    private CommandSpool Spool => new(Path.Combine(_dir, "spool"), CommandSpool.BesideTheNode());

    private ProcessCommandRunner Runner(CommandPolicy? policy = null) => new(policy ?? Policy, spool: Spool);

    private static readonly CommandRef First = new(Origin.Mirror, 1);

    [Fact]
    public async Task Should_record_the_result_through_the_runner_and_forget_it_once_recorded()
    {
        var runner = Runner();

        var result = await runner.Run(First, ["sh", "-c", "echo out; echo err >&2; exit 3"], CancellationToken.None);

        Assert.Equal(new ResultFields(CommandOutcome.Failed, 3, "out\nerr\n", false, result.DurationMs), result);
        Assert.Equal(result, await runner.OutcomeAfterRestart(First, CancellationToken.None));
        runner.Forget(First);
        Assert.Null(await runner.OutcomeAfterRestart(First, CancellationToken.None));
        Assert.Empty(Directory.GetFiles(Spool.Directory));
    }

    [Fact]
    public async Task Should_report_a_program_that_cannot_start()
    {
        var result = await Runner().Run(First, ["no-such-program-iotsync"], CancellationToken.None);

        Assert.Equal(CommandOutcome.Failed, result.Outcome);
        Assert.Equal(127, result.ExitCode);
        Assert.Contains("could not start 'no-such-program-iotsync'", result.Output);
    }

    [Fact]
    public async Task Should_kill_the_whole_process_group_of_a_command_past_its_timeout()
    {
        var (child, grandchild) = (Path.Combine(_dir, "child.pid"), Path.Combine(_dir, "grandchild.pid"));
        // The grandchild's parent exits at once: it is no longer in the command's process tree, only in its group.
        var result = await Runner(Policy with { Timeout = TimeSpan.FromMilliseconds(800) }).Run(First,
            ["sh", "-c", $"echo $$ > {child}; sh -c 'sleep 60 > /dev/null 2>&1 & echo $! > {grandchild}'; sleep 60"], CancellationToken.None);

        Assert.Equal(CommandOutcome.Failed, result.Outcome);
        Assert.EndsWith("[timed out after 0.8 s; killed]", result.Output);
        foreach (var pid in new[] { child, grandchild }.Select(f => int.Parse(File.ReadAllText(f).Trim())))
            await Polling.Until(() => Task.FromResult(!LiveProcess.IsAlive(pid)), TimeSpan.FromSeconds(5), $"process {pid} of the timed-out command ending");
    }

    [Fact]
    public async Task Should_give_a_restarted_node_the_outcome_of_a_command_still_running_once_it_ends()
    {
        var ended = Path.Combine(_dir, "ended");
        // The node that started it is not waiting for it any more (as if it had died): the next one asks the spool.
        var running = Runner().Run(First, ["sh", "-c", $"sleep 1; touch {ended}; echo done"], CancellationToken.None);
        await Polling.Until(() => Task.FromResult(File.Exists(Path.Combine(Spool.Directory, "m1.runner"))), TimeSpan.FromSeconds(10), "the runner to start");

        var learnt = await Runner().OutcomeAfterRestart(First, CancellationToken.None);

        Assert.True(File.Exists(ended));
        Assert.Equal(CommandOutcome.Executed, learnt?.Outcome);
        Assert.Equal("done\n", learnt?.Output);
        Assert.InRange(learnt!.DurationMs, 1000, 19_000);
        Assert.Equal(learnt, await running);
    }

    [Fact]
    public async Task Should_find_no_outcome_for_a_command_whose_runner_left_nothing()
    {
        Assert.Null(await Runner().OutcomeAfterRestart(new CommandRef(Origin.Device, 7), CancellationToken.None));
        Assert.Null(await new ProcessCommandRunner(Policy).OutcomeAfterRestart(First, CancellationToken.None));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
