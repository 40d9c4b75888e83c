using System.Text;
using System.Text.Json;
using IoTSync.Logs;
using IoTSync.MirrorApi.Resources;
using IoTSync.MirrorApi.Server;
using IoTSync.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;

namespace IoTSync.MirrorApi.Events;

/// <summary>
/// Serves the live streams as server-sent events: first an <c>open</c> event saying whether everything after
/// the client's <c>Last-Event-ID</c> follows; then, on a device stream that names update numbers, the entries
/// after them from the journal; then what the hub's buffer kept after the id; then live events, with a
/// <c>: keep-alive</c> comment whenever the stream was idle for <c>keep-alive</c>. A device stream skips an
/// entry it already sent from the journal, so each entry is sent once.
/// </summary>
public sealed class LiveEventStreams(LiveEventHub hub, MirrorOperations ops, IHostApplicationLifetime lifetime)
{
    public const string LastEventIdHeader = "Last-Event-ID";

    private static readonly byte[] KeepAlive = ": keep-alive\n\n"u8.ToArray();

    /// <summary>The events of the device named <paramref name="id"/>, or of the whole fleet when null, until the client goes or the node stops.</summary>
    public async Task Serve(HttpContext http, string? id)
    {
        // Checked before anything is written: a bad id or device is a problem document.
        var last = EventId.Parse(http.Request.Headers[LastEventIdHeader].ToString());
        DeviceId? device = id is null ? null : new DeviceId((await ops.Device(id, http.RequestAborted)).Device);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var subscription = hub.Subscribe(device, last, out var replay);
        try
        {
            var stream = new Cursor(hub.Epoch, replay.From, null);
            if (device is { } one)
            {
                var now = await Now(one, stopping.Token);
                if (last?.Numbers is { } since && (since.DeviceLog > now.DeviceLog || since.MirrorLog > now.MirrorLog))
                    throw ApiProblem.BadRequest($"Last-Event-ID names update numbers {UpdateNumbers.Format(since.DeviceLog, since.MirrorLog)} past the device's logs ({UpdateNumbers.Format(now.DeviceLog, now.MirrorLog)})", LastEventIdHeader);
                stream = stream with { Numbers = last?.Numbers ?? now };
            }
            await Start(http, stopping.Token);
            await Write(http, stream.Id, LiveEventTypes.Open, new StreamOpenedResource(id, stream.Id.ToString(), replay.Gap is null, Gap(replay.Gap, device, last)), stopping.Token);
            if (device is { } replayed && last?.Numbers is not null)
                stream = await ReplayEntries(http, replayed, stream, stopping.Token);
            foreach (var missed in replay.Missed)
                stream = await Send(http, stream, missed, stopping.Token);
            await http.Response.Body.FlushAsync(stopping.Token);
            await Follow(http, subscription, stream, stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The client went, or the node is stopping: the stream just ends.
        }
        finally
        {
            hub.Unsubscribe(subscription);
        }
    }

    private static string? Gap(string? reason, DeviceId? device, EventId? last) => reason switch
    {
        null => null,
        _ when device is not null && last?.Numbers is not null =>
            $"{reason}: the entries after {UpdateNumbers.Format(last.Numbers.Value.DeviceLog, last.Numbers.Value.MirrorLog)} follow from the journal, but command, window and health events in between are lost (read the device and its commands)",
        _ => $"{reason}: events in between are lost (read each device's /changes?since= and state)",
    };

    private async Task<(long DeviceLog, long MirrorLog)> Now(DeviceId device, CancellationToken cancel)
    {
        var view = (await ops.State(device.Value, cancel)).View;
        return (view.DeviceLog.Length, view.MirrorLog.Length);
    }

    private static async Task Start(HttpContext http, CancellationToken cancel)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache";
        // Proxies that buffer (nginx) would hold the events back.
        http.Response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await http.Response.StartAsync(cancel);
    }

    /// <summary>The entries after the client's update numbers, from the journal, a page at a time, with the buffer's serial unchanged.</summary>
    private async Task<Cursor> ReplayEntries(HttpContext http, DeviceId device, Cursor stream, CancellationToken cancel)
    {
        while (true)
        {
            var (deviceLog, mirrorLog) = stream.Numbers!.Value;
            var changes = await ops.Changes(device.Value, UpdateNumbers.Format(deviceLog, mirrorLog), null, cancel);
            foreach (var entry in changes.DeviceEntries)
                stream = await SendEntry(http, stream with { Numbers = (entry.Sequence, mirrorLog) }, device, entry, cancel);
            if (changes.DeviceEntries.Count > 0)
                deviceLog = changes.DeviceEntries[^1].Sequence;
            foreach (var entry in changes.MirrorEntries)
                stream = await SendEntry(http, stream with { Numbers = (deviceLog, entry.Sequence) }, device, entry, cancel);
            stream = stream with { Numbers = UpdateNumbers.Parse(changes.Next) };
            if (!changes.More)
                return stream;
        }
    }

    private static async Task<Cursor> SendEntry(HttpContext http, Cursor stream, DeviceId device, EntryResource entry, CancellationToken cancel)
    {
        await Write(http, stream.Id, LiveEventTypes.Entry, new EntryEventResource(device.Value, entry), cancel);
        return stream;
    }

    /// <summary>Live events as they come, a keep-alive comment when none came for a while; ends when the hub disconnects a subscriber that fell behind.</summary>
    private async Task Follow(HttpContext http, EventSubscription subscription, Cursor stream, CancellationToken cancel)
    {
        var events = subscription.Events;
        while (true)
        {
            bool open;
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel))
            {
                idle.CancelAfter(hub.Settings.KeepAlive);
                try
                {
                    open = await events.WaitToReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                {
                    await http.Response.Body.WriteAsync(KeepAlive, cancel);
                    await http.Response.Body.FlushAsync(cancel);
                    continue;
                }
            }
            if (!open || subscription.TooSlow)
                return;
            while (events.TryRead(out var live))
                stream = await Send(http, stream, live, cancel);
            await http.Response.Body.FlushAsync(cancel);
        }
    }

    /// <summary>One event from the hub; on a device stream an entry the stream already sent is skipped, the serial still moving on.</summary>
    private static async Task<Cursor> Send(HttpContext http, Cursor stream, LiveEvent live, CancellationToken cancel)
    {
        stream = stream with { Serial = live.Serial };
        if (live.Entry is { } entry && stream.Numbers is { } numbers)
        {
            var sent = entry.Origin == Origin.Device ? entry.Sequence <= numbers.DeviceLog : entry.Sequence <= numbers.MirrorLog;
            if (sent)
                return stream;
            stream = stream with { Numbers = (Math.Max(numbers.DeviceLog, entry.DeviceLog), Math.Max(numbers.MirrorLog, entry.MirrorLog)) };
        }
        await Write(http, stream.Id, live.Type, live.Data, cancel);
        return stream;
    }

    private static Task Write(HttpContext http, EventId id, string type, object data, CancellationToken cancel)
    {
        // One line of JSON: strings with line breaks in them are escaped, so one data: line holds it all.
        var text = $"id: {id}\nevent: {type}\ndata: {JsonSerializer.Serialize(data, data.GetType(), ApiJson.Options)}\n\n";
        return http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancel).AsTask();
    }

    /// <summary>Where a stream stands: the run, the last serial it passed, and on a device stream the update numbers it sent every entry through.</summary>
    private sealed record Cursor(long Epoch, long Serial, (long DeviceLog, long MirrorLog)? Numbers)
    {
        public EventId Id => new(Epoch, Serial, Numbers);
    }
}
