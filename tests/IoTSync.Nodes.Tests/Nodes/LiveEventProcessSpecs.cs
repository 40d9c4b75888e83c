using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Resources;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// The live event stream through the real processes: a subscriber on the mirror's control socket sees a
/// command left at the mirror go from pending to resolved once the device's window carried it and its result.
/// </summary>
[Collection(NodeProcessCollection.Name)]
public sealed class LiveEventProcessSpecs
{
    [SkippableFact]
    public async Task Should_show_a_subscriber_a_command_go_from_pending_to_resolved_after_the_devices_window()
    {
        await using var rig = await NodeRig.Create();
        await rig.Deployment.StartAll();
        using var http = MirrorApiClient.RawSocketClient(rig.Deployment.MirrorSocket);
        using var deadline = new CancellationTokenSource(NodeRig.Deadline);
        using var events = await LiveEventReader.Open(http, $"api/v1/devices/{rig.Deployment.DeviceId}/events", cancel: deadline.Token);

        var sequence = await rig.LeaveAtMirror(rig.Traced("live"));
        var seen = new List<LiveEventMessage>();
        CommandResource? resolved = null;
        while (resolved is null)
        {
            var next = await events.Next(deadline.Token) ?? throw new InvalidOperationException($"the stream ended\n{rig.Logs()}");
            seen.Add(next);
            if (next.Type == "command" && next.As<CommandResource>() is { Status: "resolved" } command && command.Sequence == sequence)
                resolved = command;
        }

        var statuses = seen.Where(e => e.Type == "command").Select(e => e.As<CommandResource>()).Where(c => c.Sequence == sequence).Select(c => c.Status).ToList();
        Assert.Equal("open", seen[0].Type);
        Assert.Equal("pending", statuses[0]);
        Assert.All(statuses, status => Assert.Contains(status, new[] { "pending", "delivered", "resolved" }));
        Assert.Equal(("executed", 1), (resolved.Result!.Outcome, rig.Runs("live")));
        Assert.Contains(seen, e => e.Type == "entry" && e.As<EntryEventResource>().Entry is { Origin: "device", Kind: "result" });
        Assert.Contains(seen, e => e.Type == "window" && e.As<WindowEventResource>().Kind == "heartbeat");
    }
}
