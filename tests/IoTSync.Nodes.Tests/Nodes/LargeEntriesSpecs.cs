using System.Text.RegularExpressions;
using IoTSync.Device;
using IoTSync.Mirror;
using IoTSync.Testing.Processes;
using IoTSync.Testing.Rig;
using Xunit;
using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Resources;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// Entries far larger encoded than typed, both ways, through the real nodes (issue 11, fault 1):
/// fifty mirror commands of 60,000 '&lt;' each (within the mirror's 64 KiB command limit, about
/// 360 KB each encoded) and device commands of the same size, whose results carry outputs as
/// large. Bounded by count alone, one push and one pull were each over the 16 MiB frame and every
/// session failed; bounded by bytes they travel in several batches and both sides converge.
/// </summary>
[Collection(NodeProcessCollection.Name)]
public sealed class LargeEntriesSpecs
{
    private const int MirrorCommands = 50;
    private const int DeviceCommands = 6;

    [SkippableFact]
    public async Task Should_sync_both_ways_in_byte_bounded_batches_entries_that_escape_to_six_times_their_bytes()
    {
        await using var rig = await NodeRig.Create(new DeploymentOptions { Period = TimeSpan.FromSeconds(5), WindowLimit = TimeSpan.FromSeconds(4) });
        var deployment = rig.Deployment;
        await deployment.StartMirror();
        await deployment.Enroll();
        await RefusesMalformedArgumentVectors(deployment);
        var escaped = new string('<', 60_000);
        var left = new List<long>();
        // Through the control sockets the command lines use, without a process per command.
        using (var api = MirrorApiClient.ForSocket(deployment.MirrorSocket))
            for (var i = 0; i < MirrorCommands; i++)
                left.Add((await api.Submit(deployment.DeviceId, new SubmitCommandRequest(["echo", $"{escaped}{i}"]))).Sequence);
        await deployment.StartDevice();
        for (var i = 0; i < DeviceCommands; i++)
            await ControlSocketClient.Exec(deployment.DeviceSocket, ["echo", $"{escaped}d{i}"], "operator", CancellationToken.None);

        foreach (var sequence in left)
            Assert.Equal("executed", (await rig.AwaitResult(sequence)).GetProperty("outcome").GetString());
        var view = await rig.AwaitConverged(v => v.GetProperty("deviceLog").GetProperty("length").GetInt64() >= MirrorCommands + 2 * DeviceCommands);

        var mirror = deployment.Mirror!.Output;
        // A window too short for megabytes on a loaded machine may end a session mid-frame (the stream ends
        // inside it), or the next session may reach the device after its window closed (refused); either resumes
        // next window. A frame over the limit, or any other frame fault, never may.
        Assert.True(!Regex.IsMatch(mirror, "FrameException: (?!stream ended inside a frame|the device refused the session)"),
            string.Join('\n', Regex.Matches(mirror, "session \\w+ failed after[^\n]*").Select(m => m.Value)));
        Assert.Equal(MirrorCommands, view.GetProperty("mirrorLog").GetProperty("length").GetInt64());
        // Nothing truncated: each output (60,002 bytes) is within the 64 KiB cap and its entry within the 1 MiB bound.
        var results = (await rig.DeviceJournal()).Where(e => e.GetProperty("kind").GetString() == "result").ToList();
        Assert.Equal(MirrorCommands + DeviceCommands, results.Count);
        Assert.All(results, r => Assert.False(r.GetProperty("result").GetProperty("truncated").GetBoolean()));
    }

    /// <summary>
    /// Issue 11, fault 9, through the mirror's command line: an empty program name, and an argument
    /// whose bytes are not UTF-8 (which .NET would turn into U+FFFD), are refused with the reason and
    /// write nothing (the mirror log's length is checked at the end).
    /// </summary>
    private static async Task RefusesMalformedArgumentVectors(Deployment deployment)
    {
        var empty = await deployment.MirrorCli(["exec", "--device", deployment.DeviceId, "--", "", "x"]);
        Assert.True(empty.ExitCode != 0, empty.ToString());
        Assert.Contains("the program name is empty", empty.Stdout + empty.Stderr);
        // Through bash: a .NET process cannot pass bytes that are not UTF-8 in an argument.
        var invalid = await ProcessRunner.Run(["/bin/bash", "-c", "exec \"$0\" \"$1\" exec --config \"$2\" --device \"$3\" -- echo $'caf\\xff'",
            deployment.Binaries.Dotnet, deployment.Binaries.MirrorDll, deployment.MirrorConfig, deployment.DeviceId], TimeSpan.FromSeconds(60));
        Assert.True(invalid.ExitCode != 0, invalid.ToString());
        Assert.Contains("argument 1 is not valid UTF-8", invalid.Stdout + invalid.Stderr);
    }
}
