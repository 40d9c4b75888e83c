using System.Text.Json;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// The mirror's command line as an operator meets it, against a running pair: <c>exec</c> takes its command
/// only after <c>--</c> and records nothing otherwise; listings redirected are plain ASCII with no internal
/// names, every line ended; a cancelled command's JSON agrees with the exit code; <c>token create</c> prints
/// the token alone.
/// </summary>
[Collection(NodeProcessCollection.Name)]
public sealed class MirrorCliSpecs(RunningPair pair) : IClassFixture<RunningPair>
{
    private async Task<long> MirrorLogLength() =>
        (await pair.Rig.Deployment.MirrorJson("state", "--device", pair.Rig.Deployment.DeviceId)).GetProperty("view").GetProperty("mirrorLog").GetProperty("length").GetInt64();

    [SkippableTheory]
    [InlineData(new[] { "--wiat", "20s", "--", "echo", "hi" }, "iotsync-mirror: exec: unknown option '--wiat' (the command goes after '--'); nothing was sent\n")]
    [InlineData(new[] { "echo", "hi" }, "iotsync-mirror: exec: the command goes after '--', as in 'exec [options] -- echo hi'; nothing was sent\n")]
    public async Task Should_refuse_an_exec_without_the_double_dash_and_record_nothing(string[] words, string expected)
    {
        var deployment = pair.Rig.Deployment;
        var before = await MirrorLogLength();

        var run = await deployment.MirrorCli(["exec", "--device", deployment.DeviceId, .. words]);

        Assert.Equal((2, expected, ""), (run.ExitCode, run.Stderr, run.Stdout));
        Assert.Equal(before, await MirrorLogLength());
    }

    [SkippableFact]
    public async Task Should_print_listings_in_plain_ascii_without_internal_names_when_not_on_a_terminal()
    {
        var deployment = pair.Rig.Deployment;
        await pair.Rig.AwaitConverged();

        string[][] commands = [["devices"], ["state", "--device", deployment.DeviceId], ["windows", "--device", deployment.DeviceId], ["token", "list"], ["refusals"]];
        foreach (var command in commands)
        {
            var run = (await deployment.MirrorCli(command)).EnsureSuccess(string.Join(' ', command));
            Assert.All(run.Stdout, c => Assert.True(c < 128, $"not ASCII: '{c}' in {command[0]}:\n{run.Stdout}"));
            Assert.EndsWith("\n", run.Stdout);
            Assert.False(run.Stdout.Contains('\u001b'), "escape codes in redirected output");
            foreach (var internalName in new[] { "None", "00:00:", "AddressNotAvailable", "TimeSpan", "System." })
                Assert.DoesNotContain(internalName, run.Stdout);
        }
    }

    [SkippableFact]
    public async Task Should_give_a_cancelled_command_json_that_agrees_with_its_exit_code()
    {
        var deployment = pair.Rig.Deployment;
        await deployment.Device!.Stop(TimeSpan.FromSeconds(15));
        try
        {
            var sequence = await pair.Rig.LeaveAtMirror(["sleep", "1"]);
            (await deployment.MirrorCli(["cancel", "--device", deployment.DeviceId, sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)])).EnsureSuccess("cancel");
            var pending = await deployment.MirrorCli(["result", "--device", deployment.DeviceId, sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json"]);
            Assert.Equal(3, pending.ExitCode);
            Assert.Equal("pending", JsonDocument.Parse(pending.Stdout).RootElement.GetProperty("status").GetString());

            await deployment.StartDevice();
            await pair.Rig.AwaitResult(sequence);
            var cancelled = await deployment.MirrorCli(["result", "--device", deployment.DeviceId, sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json"]);
            var json = JsonDocument.Parse(cancelled.Stdout).RootElement;

            Assert.Equal(("resolved", "cancelled"), (json.GetProperty("status").GetString(), json.GetProperty("result").GetProperty("outcome").GetString()));
            Assert.Equal(124, cancelled.ExitCode);
        }
        finally
        {
            if (deployment.Device is null || deployment.Device.HasExited)
                await deployment.StartDevice();
        }
    }

    [SkippableFact]
    public async Task Should_print_a_new_token_alone_list_it_without_its_text_and_revoke_it()
    {
        var deployment = pair.Rig.Deployment;

        var created = (await deployment.MirrorCli(["token", "create", "--name", "cli-spec", "--role", "read"])).EnsureSuccess("token create");
        var listed = (await deployment.MirrorJson("token", "list")).GetProperty("tokens").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "cli-spec");

        Assert.Matches("^iotsync_[A-Za-z0-9_-]{43}\n$", created.Stdout);
        Assert.Contains("shown only now", created.Stderr);
        Assert.Equal(("read", "live"), (listed.GetProperty("role").GetString(), listed.GetProperty("status").GetString()));
        Assert.DoesNotContain(created.Stdout.Trim(), listed.GetRawText());
        var revoked = (await deployment.MirrorCli(["token", "revoke", "cli-spec"])).EnsureSuccess("token revoke");
        Assert.Equal("token cli-spec is revoked\n", revoked.Stdout);
    }
}
