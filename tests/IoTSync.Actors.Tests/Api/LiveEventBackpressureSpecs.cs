using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Events;
using IoTSync.MirrorApi.Resources;
using IoTSync.Tests.Security;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace IoTSync.Tests.Api;

/// <summary>
/// A subscriber that does not keep up: the node never waits for it, disconnects it once its queue is full,
/// counts it, and it reconnects with its Last-Event-ID and misses nothing.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LiveEventBackpressureSpecs
{
    private const int Commands = 40;

    [Fact]
    public async Task Should_disconnect_a_subscriber_that_falls_behind_count_it_and_let_it_resume_missing_nothing()
    {
        await using var mirror = await RunningMirror.Start(tls: false, extraConfig: """
            iotsync.mirror.late-check-every = 1h
            iotsync.mirror.http.events { subscriber-queue = 4, keep-alive = 1h }
            """);
        using var api = MirrorApiClient.ForSocket(mirror.ControlSocket);
        using var http = MirrorApiClient.RawSocketClient(mirror.ControlSocket);
        var hub = mirror.Services.GetRequiredService<LiveEventHub>();
        using var deadline = new CancellationTokenSource(RunningMirror.Timeout * 3);
        var path = $"api/v1/devices/{RunningMirror.Device}/events";

        var first = new List<LiveEventMessage>();
        using (var slow = await LiveEventReader.Open(http, path, cancel: deadline.Token))
        {
            first.Add((await slow.Next(deadline.Token))!);
            // Events far larger than the socket's buffers: the node's writes to this reader stall, its queue fills.
            for (var i = 1; i <= Commands; i++)
                await api.Submit(RunningMirror.Device.Value, new SubmitCommandRequest(["echo", new string('x', 30_000), i.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
            while (hub.Dropped == 0)
                await Task.Delay(20, deadline.Token);
            while (await slow.Next(deadline.Token) is { } late)
                first.Add(late);
        }
        // Everything published before resuming, so the resumed stream (queue of 4) is not itself cut off by the rest arriving while it replays.
        while (hub.Published < Commands * 2)
            await Task.Delay(20, deadline.Token);
        var resumedFrom = first[^1].Id;
        var second = new List<LiveEventMessage>();
        using (var again = await LiveEventReader.Open(http, path, resumedFrom, deadline.Token))
        {
            while (Counted(first.Concat(second)) < Commands * 2)
                second.Add(await again.Next(deadline.Token) ?? throw new InvalidOperationException("the resumed stream ended"));
        }

        Assert.Equal(1, hub.Dropped);
        Assert.True(Counted(first) < Commands * 2, "the slow subscriber was cut off before the end");
        Assert.True(second[0].As<StreamOpenedResource>().Complete);
        var entries = first.Concat(second).Where(e => e.Type == "entry").Select(e => e.As<EntryEventResource>().Entry.Sequence).ToList();
        Assert.Equal(Enumerable.Range(1, Commands).Select(i => (long)i), entries.Order());
        var commands = first.Concat(second).Where(e => e.Type == "command").Select(e => e.As<CommandResource>().Sequence).ToList();
        Assert.Equal(Enumerable.Range(1, Commands).Select(i => (long)i), commands.Order());
    }

    private static int Counted(IEnumerable<LiveEventMessage> events) => events.Count(e => e.Type is "entry" or "command");
}
