using System.Net;
using Akka.Actor;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Events;
using IoTSync.MirrorApi.Resources;
using IoTSync.Model;
using IoTSync.Tests.Security;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static IoTSync.Mirror.StateJournalEvents;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Api;

/// <summary>
/// The live event streams through the real server: entry, command, window and health events as the node
/// writes them, ids a client reconnects with and misses nothing, keep-alives, and refusals.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LiveEventSpecs : IAsyncLifetime
{
    private static readonly DeviceId Device = RunningMirror.Device;
    private static readonly string DeviceEvents = $"api/v1/devices/{Device}/events";
    private const string FleetEvents = "api/v1/events";

    private RunningMirror _mirror = null!;
    private MirrorApiClient _api = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _mirror = await RunningMirror.Start(tls: false, extraConfig: """
            iotsync.mirror.http.events.keep-alive = 200ms
            # No health judged during a spec: the health events are the ones it publishes.
            iotsync.mirror.late-check-every = 1h
            """);
        _api = MirrorApiClient.ForSocket(_mirror.ControlSocket);
        _http = MirrorApiClient.RawSocketClient(_mirror.ControlSocket);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _api.Dispose();
        await _mirror.DisposeAsync();
    }

    [Fact]
    public async Task Should_send_entry_and_command_events_as_a_command_goes_from_pending_to_delivered_to_resolved()
    {
        using var device = await Open(DeviceEvents);
        using var fleet = await Open(FleetEvents);

        var left = await _api.Submit(Device.Value, new SubmitCommandRequest(["echo", "hi"]));
        var stored = await Expect(device, "entry");
        var pending = await Expect(device, "command");
        await ConfirmDelivery();
        var delivered = await Expect(device, "command");
        var result = await AppendResult(left.Sequence);
        var resultEvent = await Expect(device, "entry");
        var resolved = await Expect(device, "command");
        var seenByFleet = await Read(fleet, 5);

        var entry = stored.As<EntryEventResource>();
        Assert.Equal((Device.Value, "mirror", 1L), (entry.Device, entry.Entry.Origin, entry.Entry.Sequence));
        Assert.Equal(["echo", "hi"], entry.Entry.Argv);
        Assert.EndsWith(".d0,m1", stored.Id);
        Assert.Equal(("pending", 1L), (pending.As<CommandResource>().Status, pending.As<CommandResource>().Sequence));
        Assert.Equal("delivered", delivered.As<CommandResource>().Status);
        Assert.Equal(result.Hash.ToString(), resultEvent.As<EntryEventResource>().Entry.Hash);
        Assert.EndsWith(".d1,m1", resultEvent.Id);
        Assert.Equal(("resolved", "hi\n"), (resolved.As<CommandResource>().Status, resolved.As<CommandResource>().Result?.Output));
        Assert.Equal(["entry", "command", "command", "entry", "command"], seenByFleet.Select(e => e.Type));
        Assert.Equal([stored.Data, pending.Data, delivered.Data, resultEvent.Data, resolved.Data], seenByFleet.Select(e => e.Data));
        Assert.DoesNotContain(".d", seenByFleet[0].Id);
    }

    [Fact]
    public async Task Should_give_a_device_stream_that_reconnects_with_last_event_id_exactly_what_it_missed()
    {
        using var witness = await Open(DeviceEvents);
        string lastSeen;
        using (var first = await Open(DeviceEvents))
        {
            await _api.Submit(Device.Value, new SubmitCommandRequest(["echo", "1"]));
            await Expect(first, "entry");
            await Expect(first, "command");
            lastSeen = first.LastEventId!;
        }
        await _api.Submit(Device.Value, new SubmitCommandRequest(["echo", "2"]));
        await _api.Submit(Device.Value, new SubmitCommandRequest(["set", "colour", "blue"]));
        await ConfirmDelivery();
        await AppendResult(1);
        // An entry and a command event per submission, two deliveries (the property operation is applied at once), the result and the resolution.
        var all = await Read(witness, 10);

        using var again = await Open(DeviceEvents, lastSeen);
        var opened = (await again.Next())!.As<StreamOpenedResource>();
        var missed = await Read(again, all.Count - 2);

        Assert.True(opened.Complete);
        Assert.Null(opened.Gap);
        Assert.Equal(lastSeen, opened.Id);
        // Entries come first on a reconnect (from the journal, log by log), then the other events: the same events, each once.
        Assert.Equal(all.Skip(2).Select(e => (e.Type, e.Data)).Order(), missed.Select(e => (e.Type, e.Data)).Order());
        Assert.EndsWith("." + await Changes(), missed[^1].Id);
        await AssertNothingMore(again);
    }

    [Fact]
    public async Task Should_give_the_fleet_stream_that_reconnects_with_last_event_id_the_buffered_events_in_order()
    {
        using var witness = await Open(FleetEvents);
        string lastSeen;
        using (var first = await Open(FleetEvents))
        {
            await _api.Submit(Device.Value, new SubmitCommandRequest(["echo", "1"]));
            await Expect(first, "entry");
            await Expect(first, "command");
            lastSeen = first.LastEventId!;
        }
        await _api.Submit(Device.Value, new SubmitCommandRequest(["echo", "2"]));
        await AppendResult(1);
        var all = await Read(witness, 6);

        using var again = await Open(FleetEvents, lastSeen);
        var opened = (await again.Next())!.As<StreamOpenedResource>();
        var missed = await Read(again, 4);

        Assert.True(opened.Complete);
        Assert.Equal(all.Skip(2), missed);
        await AssertNothingMore(again);
    }

    [Fact]
    public async Task Should_replay_the_entries_from_the_journal_and_say_what_is_lost_when_the_id_is_from_another_run()
    {
        using (var witness = await Open(FleetEvents))
        {
            for (var i = 1; i <= 3; i++)
                await _api.Submit(Device.Value, new SubmitCommandRequest(["echo", $"c{i}"]));
            // Every event of the three published before the stream below opens.
            await Read(witness, 6);
        }

        using var device = await Open(DeviceEvents, "1.7.d0,m1");
        var opened = (await device.Next())!.As<StreamOpenedResource>();
        var replayed = await Read(device, 2);
        using var fleet = await Open(FleetEvents, "1.7");
        var fleetOpened = (await fleet.Next())!.As<StreamOpenedResource>();

        Assert.False(opened.Complete);
        Assert.Contains("another run", opened.Gap);
        Assert.Equal([2L, 3L], replayed.Select(e => e.As<EntryEventResource>().Entry.Sequence));
        Assert.EndsWith(".d0,m3", replayed[^1].Id);
        Assert.False(fleetOpened.Complete);
        await AssertNothingMore(device);
    }

    [Fact]
    public async Task Should_send_window_and_health_events_and_keep_an_idle_stream_alive()
    {
        using var device = await Open(DeviceEvents);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        await _mirror.Journals.Ask<object>(new RecordHeartbeat(Device, new HeartbeatRecorded(now, 30_000, new Protocol.WindowReport(4, 9_000, 300, "closed"), "s-1")), RunningMirror.Timeout);
        await _mirror.Journals.Ask<object>(new RecordSession(Device, new SessionRecorded("s-1", now, now + 500, 500, 1, 2, null, "Converged", null)), RunningMirror.Timeout);
        _mirror.Services.GetRequiredService<ActorSystem>().EventStream.Publish(new HealthChanged(Device, "never-seen", "ok", now, "called home"));
        var heartbeat = (await Expect(device, "window")).As<WindowEventResource>();
        var session = (await Expect(device, "window")).As<WindowEventResource>();
        var health = (await Expect(device, "health")).As<HealthEventResource>();
        using var deadline = new CancellationTokenSource(RunningMirror.Timeout);
        var idle = await device.Next(deadline.Token, comments: true);

        Assert.Equal(("heartbeat", 9_000L, 30_000L), (heartbeat.Kind, heartbeat.PreviousWindow!.DurationMs, heartbeat.CyclePeriodMs));
        Assert.Equal(("session", "converged", 2), (session.Kind, session.Session!.Outcome, session.Session.EntriesPulled));
        Assert.Equal(("never-seen", "ok", "called home"), (health.From, health.To, health.Detail));
        Assert.Equal((LiveEventMessage.Comment, "keep-alive"), (idle?.Type, idle?.Data));
    }

    [Theory]
    [InlineData("api/v1/devices/ghost/events", null, 404)]
    [InlineData("api/v1/devices/dev-attacked/events", "not-an-id", 400)]
    [InlineData("api/v1/devices/dev-attacked/events", "1.1.d9,m9", 400)]
    [InlineData("api/v1/events", "1.x", 400)]
    public async Task Should_refuse_an_unknown_device_or_an_id_it_never_sent_with_a_problem_document(string path, string? lastEventId, int status)
    {
        var refused = await Assert.ThrowsAsync<MirrorApiException>(() => Open(path, lastEventId));

        Assert.Equal(status, (int)refused.StatusCode!.Value);
        Assert.Equal(status, refused.Problem.Status);
        if (lastEventId is not null)
            Assert.Equal("Last-Event-ID", refused.Problem.Field);
    }

    private async Task<LiveEventReader> Open(string path, string? lastEventId = null)
    {
        var reader = await LiveEventReader.Open(_http, path, lastEventId);
        if (lastEventId is null)
            Assert.Equal("open", (await Next(reader)).Type);
        return reader;
    }

    private async Task ConfirmDelivery()
    {
        var mirrorLog = (await _api.State(Device.Value)).View.MirrorLog.ToPosition();
        await _mirror.Journals.Ask<object>(new ConfirmDelivery(Device, mirrorLog), RunningMirror.Timeout);
    }

    private async Task<LogEntry> AppendResult(long sequence)
    {
        var deviceLog = (await _api.State(Device.Value)).View.DeviceLog.ToPosition();
        var result = LogEntry.NewResult(deviceLog, new HlcTimestamp(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0), "device",
            new CommandRef(Origin.Mirror, sequence), new ResultFields(CommandOutcome.Executed, 0, "hi\n", false, 4));
        await _mirror.Journals.Ask<object>(new AppendDeviceEntries(Device, [result]), RunningMirror.Timeout);
        return result;
    }

    private async Task<string> Changes() => (await _api.Changes(Device.Value, null)).Next;

    private static async Task<LiveEventMessage> Next(LiveEventReader reader)
    {
        using var deadline = new CancellationTokenSource(RunningMirror.Timeout);
        return await reader.Next(deadline.Token) ?? throw new InvalidOperationException("the stream ended");
    }

    private static async Task<LiveEventMessage> Expect(LiveEventReader reader, string type)
    {
        var next = await Next(reader);
        Assert.Equal(type, next.Type);
        return next;
    }

    private static async Task<List<LiveEventMessage>> Read(LiveEventReader reader, int count)
    {
        var events = new List<LiveEventMessage>();
        try
        {
            while (events.Count < count)
                events.Add(await Next(reader));
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException($"{count} events expected, {events.Count} came: {string.Join("; ", events.Select(m => $"{m.Type} {m.Data}"))}", e);
        }
        return events;
    }

    /// <summary>The stream sends nothing more of what happened: the next event is a marker published now.</summary>
    private async Task AssertNothingMore(LiveEventReader reader)
    {
        _mirror.Services.GetRequiredService<ActorSystem>().EventStream.Publish(new HealthChanged(Device, "ok", "ok", 0, "marker"));
        Assert.Equal("marker", (await Expect(reader, "health")).As<HealthEventResource>().Detail);
    }
}
