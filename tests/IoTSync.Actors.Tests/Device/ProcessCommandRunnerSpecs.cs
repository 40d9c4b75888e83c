using System.Collections.Immutable;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Processes;
using Xunit;

namespace IoTSync.Tests.Device;

/// <summary>Real processes, run from argument vectors under the device's policy.</summary>
public sealed class ProcessCommandRunnerSpecs : IDisposable
{
    private static readonly CommandPolicy Policy = new(["echo", "false", "sleep", "seq", "ls", "sh", "no-such-program-iotsync"], TimeSpan.FromSeconds(20), 4096);
    private readonly string _dir = Directory.CreateTempSubdirectory("iotsync-runner-").FullName;

    private static Task<ResultFields> Run(params string[] argv) => Run(Policy, argv);

    private static Task<ResultFields> Run(CommandPolicy policy, params string[] argv) =>
        new ProcessCommandRunner(policy).Run([.. argv], CancellationToken.None);

    [Fact]
    public async Task Should_pass_arguments_verbatim_without_a_shell()
    {
        var result = await Run("echo", "a b", "$(touch x)", "; rm -rf /", "'q'", "*");

        Assert.Equal(CommandOutcome.Executed, result.Outcome);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("a b $(touch x) ; rm -rf / 'q' *\n", result.Output);
        Assert.False(result.Truncated);
    }

    [Fact]
    public async Task Should_record_a_non_zero_exit_as_failed_with_its_code_and_error_output()
    {
        var result = await Run("ls", Path.Combine(_dir, "missing"));

        Assert.Equal(CommandOutcome.Failed, result.Outcome);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("No such file", result.Output);
    }

    [Fact]
    public async Task Should_refuse_a_program_outside_the_allow_list_without_running_it()
    {
        var marker = Path.Combine(_dir, "ran");

        var result = await Run("touch", marker);

        Assert.Equal(CommandOutcome.Refused, result.Outcome);
        Assert.Contains("allow-list", result.Output);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Should_kill_a_command_past_its_timeout_together_with_its_children()
    {
        var pidFile = Path.Combine(_dir, "child.pid");
        var policy = Policy with { Timeout = TimeSpan.FromMilliseconds(500) };

        var result = await Run(policy, "sh", "-c", $"sleep 60 & echo $! > {pidFile}; wait");

        Assert.Equal(CommandOutcome.Failed, result.Outcome);
        Assert.Contains("timed out after 0.5 s; killed", result.Output);
        var child = int.Parse(File.ReadAllText(pidFile).Trim());
        // SIGKILL is delivered when the child next runs: on a loaded machine that can lag the kill call a little.
        await Polling.Until(() => Task.FromResult(!LiveProcess.IsAlive(child)), TimeSpan.FromSeconds(5), $"child {child} of the timed-out command ending after the kill");
    }

    [Fact]
    public async Task Should_keep_output_up_to_the_cap_and_say_it_was_truncated()
    {
        var result = await Run(Policy with { OutputCapBytes = 100 }, "seq", "1", "100000");

        Assert.Equal(CommandOutcome.Executed, result.Outcome);
        Assert.True(result.Truncated);
        Assert.Equal(100, System.Text.Encoding.UTF8.GetByteCount(result.Output));
        Assert.StartsWith("1\n2\n3\n", result.Output);
    }

    [Fact]
    public async Task Should_report_a_program_that_cannot_start()
    {
        var result = await Run("no-such-program-iotsync");

        Assert.Equal(CommandOutcome.Failed, result.Outcome);
        Assert.Equal(127, result.ExitCode);
        Assert.Contains("could not start", result.Output);
    }

    [Fact]
    public void Should_read_the_policy_from_the_device_configuration()
    {
        var policy = CommandPolicy.FromConfig(IoTSyncSystem.LoadNodeConfig(Path.Combine(AppContext.BaseDirectory, "hocon", "device.hocon")));

        Assert.Contains("uname", policy.AllowedPrograms);
        Assert.DoesNotContain(CommandPolicy.AnyProgram, policy.AllowedPrograms);
        Assert.Equal(TimeSpan.FromSeconds(30), policy.Timeout);
        Assert.Equal(64 * 1024, policy.OutputCapBytes);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
