using System.Text;
using System.Text.RegularExpressions;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Security;
using IoTSync.Serialization;
using IoTSync.Tests.Nodes;
using Xunit;

namespace IoTSync.Tests.Security;

/// <summary>
/// Issue 12's bad-input suite, through the real processes and sockets (<see cref="BadInputPair"/>): for
/// each named case (<see cref="BadInputCases"/>), the attacker's view of a refusal, the reason in the
/// refusing node's log, its refusal counter up, and both logs' lengths and heads and the state digest
/// (at both nodes, and at the mirror for the fake device attacked) as they were before.
/// </summary>
[Collection(NodeProcessCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BadInputSuiteSpecs(BadInputPair pair) : IClassFixture<BadInputPair>
{
    public static TheoryData<string> Cases => new(BadInputCases.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Should_refuse_log_the_reason_count_it_and_change_nothing(string name)
    {
        var bad = BadInputCases.Named(name);
        var before = await Snapshot(bad.Watched);
        var counted = bad.Counter is { } counter ? (await pair.Counters(bad.Node)).GetValueOrDefault(counter) : 0;
        var mark = pair.Output(bad.Node).Length;

        await bad.Attack(pair);

        if (bad.LogPattern is { } logged)
        {
            var reason = new Regex(logged);
            await Polling.Until(() => Task.FromResult(reason.IsMatch(pair.Output(bad.Node)[mark..])), BadInputPair.Deadline,
                $"/{reason}/ in the {bad.Node} log:\n{Tail(pair.Output(bad.Node)[mark..])}");
        }
        if (bad.Counter is { } named)
            await Polling.Until(async () => (await pair.Counters(bad.Node)).GetValueOrDefault(named) > counted, BadInputPair.Deadline,
                $"the {bad.Node}'s counter {named} above {counted}:\n{Tail(pair.Output(bad.Node)[mark..])}");
        if (bad.RecordedInTheLogs)
            await RecordedAndNothingElse(before);
        else
            Assert.Equal(before, await Snapshot(bad.Watched));
    }

    [Fact]
    public async Task Should_print_the_refusal_counters_in_iotsync_mirror_refusals_and_iotsync_device_status()
    {
        await BadInputCases.Named("mirror-api-malformed").Attack(pair);
        await BadInputCases.Named("device-control-malformed").Attack(pair);

        var mirror = (await pair.Deployment.MirrorCli(["refusals"])).EnsureSuccess("iotsync-mirror refusals");
        var mirrorJson = await pair.Deployment.MirrorJson("refusals");
        var device = (await pair.Deployment.DeviceCli(["status"])).EnsureSuccess("iotsync-device status");
        var deviceJson = await pair.Deployment.DeviceJson("status");

        Assert.Matches(@$"(?m)^{Refusals.ControlMalformed} [1-9]\d*$", mirror.Stdout);
        Assert.True(mirrorJson.GetProperty(Refusals.ControlMalformed).GetInt64() >= 1);
        Assert.Contains($"refused {Refusals.ControlMalformed}", device.Stdout);
        Assert.Contains(deviceJson.GetProperty("refusals").EnumerateArray(),
            r => r.GetProperty("kind").GetString() == Refusals.ControlMalformed && r.GetProperty("count").GetInt64() >= 1);
    }

    [Fact]
    public void Should_name_at_least_30_cases_each_once()
    {
        Assert.True(BadInputCases.All.Count >= 30, $"{BadInputCases.All.Count} cases");
        Assert.Equal(BadInputCases.All.Count, BadInputCases.All.Select(c => c.Name).Distinct().Count());
    }

    /// <summary>
    /// What no case may change: the real device's logs and digest as the device and as the mirror hold them,
    /// and the attacked fake device's as the mirror holds them, through the nodes' control sockets (what
    /// <c>status</c> and <c>state</c> print).
    /// </summary>
    private async Task<string> Snapshot(DeviceId? watched)
    {
        var device = (await pair.DeviceStatus()).View;
        var mirror = (await pair.MirrorState(pair.Device)).View;
        var fake = watched is { } w ? Encode((await pair.MirrorState(w)).View) : "";
        return $"device {Encode(device)}\nmirror {Encode(mirror)}\nattacked {fake}";
    }

    /// <summary>A refusal recorded as the audit trail: each log one entry longer at both nodes, and the two nodes agreeing again.</summary>
    private async Task RecordedAndNothingElse(string before)
    {
        var was = Decode(before);
        await Polling.Until(async () =>
        {
            var device = (await pair.DeviceStatus()).View;
            var mirror = (await pair.MirrorState(pair.Device)).View;
            return device == mirror && device.DeviceLog.Length == was.DeviceLog.Length + 1 && device.MirrorLog.Length == was.MirrorLog.Length + 1;
        }, BadInputPair.Deadline, "the command and its refusal recorded at both nodes, and nothing else");
    }

    private static SyncView Decode(string snapshot)
    {
        var json = snapshot.Split('\n')[0]["device ".Length..];
        return (SyncView)IoTSyncCodec.Decode(Encoding.UTF8.GetBytes(json), "sync-view");
    }

    private static string Encode(SyncView view) => Encoding.UTF8.GetString(IoTSyncCodec.Encode(view));

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(25));
}
