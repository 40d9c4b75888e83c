using System.Globalization;
using System.Net;
using System.Text;
using Akka.Actor;
using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Resources;
using IoTSync.Tests.Security;
using Xunit;
using static IoTSync.Mirror.StateJournalEvents;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Api;

/// <summary>
/// <c>/metrics</c> through the real server, in Prometheus' text format, after some activity; the probes
/// <c>/healthz</c> and <c>/readyz</c>, which answer anyone and say nothing else.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MirrorMetricsSpecs
{
    private static readonly string Device = RunningMirror.Device.Value;

    [Fact]
    public async Task Should_expose_the_named_metrics_with_the_values_the_activity_gives()
    {
        await using var mirror = await RunningMirror.Start(tls: false, extraConfig: "iotsync.mirror.late-check-every = 1h");
        using var api = MirrorApiClient.ForSocket(mirror.ControlSocket);
        using var http = MirrorApiClient.RawSocketClient(mirror.ControlSocket);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        await api.Submit(Device, new SubmitCommandRequest(["echo", "hi"]));
        await api.Submit(Device, new SubmitCommandRequest(["set", "colour", "blue"]));
        using (await http.PostAsync($"api/v1/devices/{Device}/commands", new StringContent("{\"argv\": [", Encoding.UTF8, "application/json")))
        {
        }
        await mirror.Journals.Ask<object>(new RecordHeartbeat(RunningMirror.Device, new HeartbeatRecorded(now, 30_000, new Protocol.WindowReport(4, 9_000, 300, "closed"), "s-1")), RunningMirror.Timeout);
        await mirror.Journals.Ask<object>(new RecordSession(RunningMirror.Device, new SessionRecorded("s-1", now, now + 500, 500, 1, 2, null, "Converged", null)), RunningMirror.Timeout);
        await mirror.Journals.Ask<object>(new RecordSession(RunningMirror.Device, new SessionRecorded("s-2", now, now + 900, 900, 0, 0, null, SessionRecorded.Failed, "connection reset")), RunningMirror.Timeout);
        var status = (await api.Device(Device)).Status;
        var (metrics, contentType) = await ScrapeUntil(http, m => m.GetValueOrDefault("iotsync_sessions_total{outcome=\"failed\"}") == 1);

        Assert.StartsWith("text/plain; version=0.0.4", contentType);
        Assert.Equal(1, metrics["iotsync_heartbeats_accepted_total"]);
        Assert.Equal(1, metrics["iotsync_device_window_seconds_count"]);
        Assert.Equal(9, metrics["iotsync_device_window_seconds_sum"]);
        Assert.Equal(0, metrics["iotsync_device_window_seconds_bucket{le=\"5\"}"]);
        Assert.Equal(1, metrics["iotsync_device_window_seconds_bucket{le=\"10\"}"]);
        Assert.Equal(1, metrics["iotsync_sessions_total{outcome=\"converged\"}"]);
        Assert.Equal(1, metrics["iotsync_entries_moved_total{direction=\"to-device\"}"]);
        Assert.Equal(2, metrics["iotsync_entries_moved_total{direction=\"from-device\"}"]);
        Assert.Equal(1, metrics["iotsync_refusals_total{reason=\"control-malformed\"}"]);
        Assert.Equal(1, metrics["iotsync_open_commands"]);
        Assert.Equal(1, metrics[$"iotsync_devices{{status=\"{status}\"}}"]);
        Assert.Equal(1, metrics.Where(m => m.Key.StartsWith("iotsync_devices{", StringComparison.Ordinal)).Sum(m => m.Value));
        Assert.True(metrics["iotsync_journal_bytes"] > 0);
        Assert.Equal(0, metrics["iotsync_api_event_streams"]);
        Assert.Equal(0, metrics["iotsync_api_event_streams_dropped_total"]);
    }

    [Fact]
    public async Task Should_answer_the_probes_to_anyone_and_the_metrics_and_events_only_with_a_token()
    {
        await using var mirror = await RunningMirror.Start(tls: false, extraConfig: """
            iotsync.mirror.http { listen = ["127.0.0.1:0"], tls = off }
            """);
        using var http = new HttpClient { BaseAddress = Assert.Single(mirror.ApiAddresses) };

        using var health = await http.GetAsync("healthz");
        using var ready = await http.GetAsync("readyz");
        using var metrics = await http.GetAsync("metrics");
        using var events = await http.GetAsync("api/v1/events", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal((HttpStatusCode.OK, "ok\n"), (health.StatusCode, await health.Content.ReadAsStringAsync()));
        Assert.Equal((HttpStatusCode.OK, "ready\n"), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.Unauthorized, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, events.StatusCode);
    }

    /// <summary>Scrapes until <paramref name="done"/> holds (the counters follow what is published a moment later), with a deadline.</summary>
    private static async Task<(Dictionary<string, double> Metrics, string ContentType)> ScrapeUntil(HttpClient http, Func<Dictionary<string, double>, bool> done)
    {
        using var deadline = new CancellationTokenSource(RunningMirror.Timeout);
        while (true)
        {
            using var answer = await http.GetAsync("metrics", deadline.Token);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            var metrics = Parse(await answer.Content.ReadAsStringAsync(deadline.Token));
            if (done(metrics))
                return (metrics, answer.Content.Headers.ContentType!.ToString());
            await Task.Delay(50, deadline.Token);
        }
    }

    /// <summary>Prometheus' text format: every sample line as its name with labels, and its value; the HELP and TYPE lines checked to come first.</summary>
    private static Dictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        var typed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                typed.Add(line.Split(' ')[2]);
                continue;
            }
            if (line.StartsWith('#'))
                continue;
            var space = line.LastIndexOf(' ');
            var name = line[..space];
            var family = name.Split('{')[0];
            Assert.Contains(typed, t => family == t || family.StartsWith(t + "_", StringComparison.Ordinal));
            samples[name] = double.Parse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        return samples;
    }
}
