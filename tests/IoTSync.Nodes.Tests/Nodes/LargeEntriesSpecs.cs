using System.Text.RegularExpressions;
using IoTSync.Device;
using IoTSync.Mirror;
using IoTSync.Testing.Rig;
using Xunit;

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
        var escaped = new string('<', 60_000);
        var left = new List<long>();
        // Through the control sockets the command lines use, without a process per command.
        for (var i = 0; i < MirrorCommands; i++)
            left.Add((await MirrorControlClient.Request<SubmitReply>(deployment.MirrorSocket,
                new SubmitRequest(deployment.DeviceId, ["echo", $"{escaped}{i}"], "app", null), CancellationToken.None)).Entry.Sequence);
        await deployment.StartDevice();
        for (var i = 0; i < DeviceCommands; i++)
            await ControlSocketClient.Exec(deployment.DeviceSocket, ["echo", $"{escaped}d{i}"], "operator", CancellationToken.None);

        foreach (var sequence in left)
            Assert.Equal("executed", (await rig.AwaitResult(sequence)).GetProperty("outcome").GetString());
        var view = await rig.AwaitConverged(v => v.GetProperty("deviceLog").GetProperty("length").GetInt64() >= MirrorCommands + 2 * DeviceCommands);

        var mirror = deployment.Mirror!.Output;
        // A window too short for megabytes on a loaded machine may end a session (it resumes next window); a frame never may.
        Assert.True(!mirror.Contains("FrameException", StringComparison.Ordinal),
            string.Join('\n', Regex.Matches(mirror, "session \\w+ failed after[^\n]*").Select(m => m.Value)));
        Assert.Equal(MirrorCommands, view.GetProperty("mirrorLog").GetProperty("length").GetInt64());
        // Nothing truncated: each output (60,002 bytes) is within the 64 KiB cap and its entry within the 1 MiB bound.
        var results = (await rig.DeviceJournal()).Where(e => e.GetProperty("kind").GetString() == "result").ToList();
        Assert.Equal(MirrorCommands + DeviceCommands, results.Count);
        Assert.All(results, r => Assert.False(r.GetProperty("result").GetProperty("truncated").GetBoolean()));
    }
}
