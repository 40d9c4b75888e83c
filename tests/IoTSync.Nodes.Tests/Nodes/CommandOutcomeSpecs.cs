using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using IoTSync.Processes;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// True outcomes after a kill (issue 11, fault 6), through the real nodes: a command that ends while
/// the device node is dead is recorded with its real result at restart, once; one that ends while the
/// node is frozen past the command's limit is not "timed out"; a command past its limit is killed
/// with its whole process group. One deployment for the three; the device's command limit is 3 s.
/// </summary>
[Collection(NodeProcessLaneB.Name)]
public sealed class CommandOutcomeSpecs(CommandOutcomeSpecs.Pair pair) : IClassFixture<CommandOutcomeSpecs.Pair>
{
    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(3);

    [SkippableFact]
    public async Task Should_record_the_real_result_of_a_command_that_ended_while_the_device_node_was_dead_and_run_it_once()
    {
        var rig = await pair.Ready();
        var token = Token("dead");
        var sequence = await rig.LeaveAtMirror(["sh", "-c", $"sleep 2; echo {token} >> {rig.RunsFile}; echo done"]);
        await RunnerStarted(rig, sequence);

        rig.Deployment.Device!.Crash();
        await NodeRig.Poll("the command ending while the node is dead", () => Task.FromResult(rig.Runs(token) == 1 ? true : (bool?)null));
        await rig.Deployment.StartDevice();
        var result = await rig.AwaitResult(sequence);

        AssertExecuted(result, "done\n", rig);
        Assert.InRange(result.GetProperty("durationMs").GetInt64(), 2000, (long)CommandLimit.TotalMilliseconds);
        Assert.Single(await rig.ResultsFor(sequence));
        Assert.Equal(1, rig.Runs(token));
    }

    [SkippableFact]
    public async Task Should_record_the_real_result_of_a_command_that_ended_in_time_while_the_node_was_frozen_past_its_limit()
    {
        var rig = await pair.Ready();
        var device = rig.Deployment.Device!;
        var token = Token("frozen");
        var sequence = await rig.LeaveAtMirror(["sh", "-c", $"sleep 1; echo {token} >> {rig.RunsFile}; echo done"]);
        await RunnerStarted(rig, sequence);
        var frozen = Stopwatch.StartNew();
        device.Pause();
        try
        {
            await NodeRig.Poll("the command ending while the node is frozen", () => Task.FromResult(rig.Runs(token) == 1 ? true : (bool?)null));
            // Not a wait for a condition but the fault itself: the command's limit passes while the node is still frozen.
            var rest = CommandLimit + TimeSpan.FromSeconds(1) - frozen.Elapsed;
            if (rest > TimeSpan.Zero)
                await Task.Delay(rest);
        }
        finally
        {
            device.Resume();
        }
        var result = await rig.AwaitResult(sequence);

        AssertExecuted(result, "done\n", rig);
        Assert.InRange(result.GetProperty("durationMs").GetInt64(), 1000, (long)CommandLimit.TotalMilliseconds - 1);
        Assert.Equal(1, rig.Runs(token));
    }

    [SkippableFact]
    public async Task Should_kill_the_whole_process_group_of_a_command_past_its_limit()
    {
        var rig = await pair.Ready();
        var token = Token("group");
        var (child, grandchild) = (Path.Combine(rig.Directory, token + ".child"), Path.Combine(rig.Directory, token + ".grandchild"));
        // The grandchild's parent exits at once: it is no longer in the command's process tree, only in its process group.
        var sequence = await rig.LeaveAtMirror(["sh", "-c",
            $"echo $$ > {child}; sh -c 'sleep 60 > /dev/null 2>&1 & echo $! > {grandchild}'; echo {token} >> {rig.RunsFile}; sleep 60"]);

        var result = await rig.AwaitResult(sequence);

        Assert.Equal("failed", result.GetProperty("outcome").GetString());
        Assert.EndsWith($"[timed out after {CommandLimit.TotalSeconds:0} s; killed]", result.GetProperty("output").GetString());
        foreach (var file in new[] { child, grandchild })
        {
            var pid = int.Parse(File.ReadAllText(file).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            // SIGKILL is delivered when the process next runs: a loaded machine can lag the kill a little, never by the sleep's minute.
            await Polling.Until(() => Task.FromResult(!LiveProcess.IsAlive(pid)), TimeSpan.FromSeconds(5), $"process {pid} ({Path.GetFileName(file)}) of the timed-out command ending");
        }
        Assert.Equal(1, rig.Runs(token));
    }

    private static string Token(string label) => $"{label}-{Guid.NewGuid():N}"[..(label.Length + 9)];

    /// <summary>
    /// The node logs "running" before it starts the runner; the runner writes its line in the spool
    /// before it starts the command: from then on the command no longer needs the node.
    /// </summary>
    private static async Task RunnerStarted(NodeRig rig, long sequence)
    {
        await rig.Deployment.Device!.WaitForOutput(new Regex($@"\] running m{sequence}: "), NodeRig.Deadline);
        var line = Path.Combine(rig.Deployment.Directory, "device", "commands", $"m{sequence}.runner");
        await NodeRig.Poll($"the runner of m{sequence} started", () => Task.FromResult(File.Exists(line) ? true : (bool?)null));
    }

    private static void AssertExecuted(JsonElement result, string output, NodeRig rig)
    {
        Assert.True(result.GetProperty("outcome").GetString() == "executed", $"{result}\n{rig.Logs()}");
        Assert.Equal(0, result.GetProperty("exitCode").GetInt32());
        Assert.Equal(output, result.GetProperty("output").GetString());
    }

    /// <summary>One deployment, both nodes running, the device's command limit shortened to <see cref="CommandLimit"/>.</summary>
    public sealed class Pair : IAsyncLifetime
    {
        private NodeRig? _rig;
        private string? _skipReason;

        /// <summary>The deployment with both nodes running (a case that failed may have left the device stopped).</summary>
        public async Task<NodeRig> Ready()
        {
            Skip.If(_skipReason is not null, _skipReason);
            if (_rig!.Deployment.Device is not { HasExited: false })
                await _rig.Deployment.StartDevice();
            return _rig;
        }

        public async Task InitializeAsync()
        {
            try
            {
                _rig = await NodeRig.Create();
            }
            catch (SkipException e)
            {
                _skipReason = e.Message;
                return;
            }
            await File.AppendAllTextAsync(_rig.Deployment.DeviceConfig, $"""
                # Short enough for a spec to run past it.
                iotsync.device.commands.timeout = {(long)CommandLimit.TotalMilliseconds}ms

                """);
            await _rig.Deployment.StartAll();
        }

        public async Task DisposeAsync()
        {
            if (_rig is not null)
                await _rig.DisposeAsync();
        }
    }
}
