using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// The device's command line as an operator meets it, against a running node: <c>exec</c> takes its command
/// only after <c>--</c> and records nothing otherwise; <c>status</c> redirected is plain ASCII, in words,
/// every line ended.
/// </summary>
[Collection(NodeProcessCollection.Name)]
public sealed class DeviceCliSpecs(RunningPair pair) : IClassFixture<RunningPair>
{
    [SkippableTheory]
    [InlineData(new[] { "--wiat", "20s", "--", "echo", "hi" }, "iotsync-device: exec: unknown option '--wiat' (the command goes after '--'); nothing was sent\n")]
    [InlineData(new[] { "echo", "hi" }, "iotsync-device: exec: the command goes after '--', as in 'exec [options] -- echo hi'; nothing was sent\n")]
    public async Task Should_refuse_an_exec_without_the_double_dash_and_record_nothing(string[] words, string expected)
    {
        var deployment = pair.Rig.Deployment;
        var before = await DeviceLogLength();

        var run = await deployment.DeviceCli(["exec", .. words]);

        Assert.Equal((2, expected, ""), (run.ExitCode, run.Stderr, run.Stdout));
        var ran = await deployment.DeviceCli(["exec", "--", "echo", "after"]);
        Assert.Equal((0, "after\n"), (ran.ExitCode, ran.Stdout));
        // The one exec that ran wrote its command and its result; the refused one wrote nothing.
        Assert.Equal(before + 2, await DeviceLogLength());
    }

    [SkippableFact]
    public async Task Should_print_status_in_plain_ascii_words_when_not_on_a_terminal()
    {
        var deployment = pair.Rig.Deployment;
        await pair.Rig.AwaitConverged();
        (await deployment.DeviceCli(["exec", "--", "set", "colour", "blue"])).EnsureSuccess("set");

        var status = (await deployment.DeviceCli(["status"])).EnsureSuccess("status");

        Assert.All(status.Stdout, c => Assert.True(c < 128, $"not ASCII: '{c}' in\n{status.Stdout}"));
        Assert.EndsWith("\n", status.Stdout);
        Assert.False(status.Stdout.Contains('\u001b'), "escape codes in redirected output");
        Assert.Matches(@"window +\| \w[\w ]* \(window \d+, every 2 s\)", status.Stdout);
        Assert.Contains("colour", status.Stdout);
        foreach (var internalName in new[] { "None", "00:00:", "AddressNotAvailable", "TimeSpan" })
            Assert.DoesNotContain(internalName, status.Stdout);
    }

    [SkippableFact]
    public async Task Should_say_in_words_that_no_node_answers()
    {
        var deployment = pair.Rig.Deployment;
        var config = Path.Combine(Path.GetDirectoryName(deployment.DeviceConfig)!, "elsewhere.hocon");
        await File.WriteAllTextAsync(config, await File.ReadAllTextAsync(deployment.DeviceConfig) + """

            # No node here.
            iotsync.device.control-socket = "/nonexistent/device.sock"

            """);

        var run = await NodeCliRunner.Run(deployment.Binaries.DeviceDll, ["status", "--config", config], dotnet: deployment.Binaries.Dotnet);

        Assert.Equal((2, "iotsync-device: no device node is running (nothing answers on /nonexistent/device.sock: no such socket)\n"), (run.ExitCode, run.Stderr));
    }

    private async Task<long> DeviceLogLength() =>
        (await pair.Rig.Deployment.DeviceJson("status")).GetProperty("view").GetProperty("deviceLog").GetProperty("length").GetInt64();
}
