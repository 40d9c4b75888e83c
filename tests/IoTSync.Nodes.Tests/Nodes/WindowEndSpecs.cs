using System.Text.Json;
using System.Text.RegularExpressions;
using IoTSync.Testing.Rig;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// The end of an exchange and the end of its window agree (issue 11, fault 0): the device takes its
/// link down the moment its session ends, so its last answer (<c>Done</c>) must have left before
/// that, and a close that waits on a dead link must not cost the mirror its record or the device
/// its next session. On the test bed with short windows, one command in each of several windows.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed partial class WindowEndSpecs
{
    private const int Windows = 4;

    [SkippableFact]
    public async Task Should_record_every_exchange_that_converged_as_converged_and_close_every_window_that_carried_one_as_synced()
    {
        await using var rig = await NodeRig.CreateInBed(new DeploymentOptions { Period = TimeSpan.FromSeconds(1.5), WindowLimit = TimeSpan.FromMilliseconds(1200) });
        var deployment = rig.Deployment;
        await deployment.StartAll();
        // The first command also waits for the first association and JIT.
        Assert.Equal("executed", (await rig.AwaitResult(await rig.LeaveAtMirror(rig.Traced("warm-up")))).GetProperty("outcome").GetString());

        // The first windows pay for start-up (JIT, the first SSH handshake) and may run into their limit: judged from here on.
        var sessionsBefore = rig.MirrorSessions().Count;
        var mirrorOutputBefore = deployment.Mirror!.Output.Length;
        var firstJudged = (await deployment.DeviceJson("status")).GetProperty("cycle").GetProperty("window").GetInt32() + 1;
        for (var i = 0; i < Windows; i++)
        {
            // Each result waits for its own window: the command goes down in one and its result comes up in the same one.
            var result = await rig.AwaitResult(await rig.LeaveAtMirror(rig.Traced($"window-{i}")));
            Assert.Equal("executed", result.GetProperty("outcome").GetString());
        }

        // Every session the mirror opened since then ended "done" (converged), none "failed" (a timeout behind a dead
        // link). A session opened during the warm-up may end (and fail) after it: it is not judged.
        var mirror = deployment.Mirror!.Output[mirrorOutputBefore..];
        var opened = OpenedSession().Matches(mirror).Select(m => m.Groups[1].Value).ToHashSet();
        var failed = FailedSession().Matches(mirror).Where(m => opened.Contains(m.Groups[1].Value)).Select(m => m.Value).ToList();
        Assert.True(failed.Count == 0, $"a session failed:\n{string.Join('\n', failed)}\n{rig.Logs()}");
        Assert.True(rig.MirrorSessions().Count - sessionsBefore >= Windows, $"fewer sessions than windows with a command\n{rig.Logs()}");
        // The device closed each window with a session in it as synced, none at the limit.
        var recent = (await deployment.DeviceJson("status")).GetProperty("cycle").GetProperty("recent").EnumerateArray().ToList();
        var withSession = recent.Where(w => w.GetProperty("number").GetInt32() >= firstJudged
                                            && w.TryGetProperty("sessionStartedAfterMs", out var s) && s.ValueKind != JsonValueKind.Null).ToList();
        Assert.NotEmpty(withSession);
        Assert.All(withSession, w => Assert.True(w.GetProperty("outcome").GetString() == "synced", $"{w}\n{rig.Logs()}"));
        Assert.Equal(Windows + 1, Enumerable.Range(0, Windows).Sum(i => rig.Runs($"window-{i}")) + rig.Runs("warm-up"));
    }

    [GeneratedRegex(@"session (\w+) failed after [^\n]*")]
    private static partial Regex FailedSession();

    [GeneratedRegex(@"session (\w+): opening ")]
    private static partial Regex OpenedSession();
}
