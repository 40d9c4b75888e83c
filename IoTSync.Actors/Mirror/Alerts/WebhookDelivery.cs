using System.Globalization;
using System.Net.Http.Headers;
using Akka.Actor;
using Akka.Event;
using IoTSync.Logs;
using static IoTSync.Mirror.Alerts.WebhookAlertsMessages;

namespace IoTSync.Mirror.Alerts;

/// <summary>
/// Delivers one webhook's alerts in order, one at a time: each is POSTed signed (<see cref="AlertPayload"/>);
/// a 2xx answer delivers it, anything else or no answer is tried again after the back-off
/// (<see cref="AlertSettings.RetryDelay"/>) until <see cref="AlertSettings.GiveUpAfter"/> has passed since the
/// change, when it is given up and logged. The POST runs on the HTTP client's own tasks and comes back as a
/// message: the actor never waits. Alerts arriving meanwhile wait in a bounded <see cref="WebhookQueue"/>.
/// </summary>
public sealed class WebhookDelivery : ReceiveActor, IWithTimers
{
    private sealed record Attempted(string Id, int? StatusCode, string? Error);

    private sealed record RetryDue
    {
        public static RetryDue Instance { get; } = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly WebhookSettings _webhook;
    private readonly AlertSettings _settings;
    private readonly HttpClient _http;
    private readonly IWallClock _wall;
    private WebhookQueue _queue;
    private Alert? _current;
    private int _attempt;
    private long _delivered, _dropped, _givenUp, _failedAttempts;

    public WebhookDelivery(WebhookSettings webhook, AlertSettings settings, HttpClient http, IWallClock wall)
    {
        (_webhook, _settings, _http, _wall) = (webhook, settings, http, wall);
        _queue = WebhookQueue.Empty(settings.QueueSize);

        Receive<Deliver>(deliver =>
        {
            (_queue, var dropped) = _queue.Enqueue(deliver.Alert);
            if (dropped is not null)
            {
                _dropped++;
                _log.Warning("[{0}] webhook {1}: queue full ({2}), dropped the oldest alert {3} ({4}); {5} dropped so far", dropped.Change.Device,
                    _webhook.Display, _settings.QueueSize, dropped.Id, dropped.Kind, _dropped);
            }
            if (_current is null)
                Next();
        });

        Receive<Attempted>(attempted =>
        {
            if (_current is not { } alert || alert.Id != attempted.Id)
                return;
            if (attempted.StatusCode is >= 200 and < 300)
            {
                _delivered++;
                _log.Info("[{0}] webhook {1}: alert {2} ({3}) delivered", alert.Change.Device, _webhook.Display, alert.Id, alert.Kind);
                Next();
                return;
            }
            _failedAttempts++;
            var why = attempted.StatusCode is { } code ? $"HTTP {code}" : attempted.Error;
            if (_wall.UtcNowMs - alert.Change.AtUnixMs >= (long)_settings.GiveUpAfter.TotalMilliseconds)
            {
                _givenUp++;
                _log.Warning("[{0}] webhook {1}: alert {2} ({3}) given up after {4} attempts: {5}", alert.Change.Device, _webhook.Display, alert.Id, alert.Kind,
                    _attempt, why);
                Next();
                return;
            }
            var delay = _settings.RetryDelay(_attempt);
            _log.Warning("[{0}] webhook {1}: alert {2} ({3}) not delivered (attempt {4}): {5}; next attempt in {6} ms", [alert.Change.Device, _webhook.Display,
                alert.Id, alert.Kind, _attempt, why, (long)delay.TotalMilliseconds]);
            Timers.StartSingleTimer("retry", RetryDue.Instance, delay);
        });

        Receive<RetryDue>(_ =>
        {
            if (_current is { } alert)
                Attempt(alert);
        });

        Receive<GetWebhookStatus>(_ =>
            Sender.Tell(new WebhookStatus(_webhook.Display, _queue.Count, _current is not null, _attempt, _delivered, _dropped, _givenUp, _failedAttempts)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private void Next()
    {
        (_queue, _current) = _queue.Take();
        _attempt = 0;
        if (_current is { } alert)
            Attempt(alert);
    }

    private void Attempt(Alert alert)
    {
        _attempt++;
        var sentAt = _wall.UtcNowMs;
        var body = AlertPayload.Body(alert, sentAt);
        Post(_http, _webhook.Url, body, AlertPayload.Signature(_webhook.Secret, body), alert.Id, sentAt)
            .PipeTo(Self, success: code => new Attempted(alert.Id, code, null), failure: cause => new Attempted(alert.Id, null, Describe(cause)));
    }

    private static async Task<int> Post(HttpClient http, Uri url, byte[] body, string signature, string id, long sentAt)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(AlertPayload.SignatureHeader, signature);
        request.Headers.Add(AlertPayload.EventIdHeader, id);
        request.Headers.Add(AlertPayload.TimestampHeader, sentAt.ToString(CultureInfo.InvariantCulture));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    private string Describe(Exception cause)
    {
        var inner = cause is AggregateException { InnerException: { } first } ? first : cause;
        return inner is TaskCanceledException or OperationCanceledException
            ? $"no answer within {(long)_settings.RequestTimeout.TotalMilliseconds} ms"
            : inner.Message;
    }

    public static Props Props(WebhookSettings webhook, AlertSettings settings, HttpClient http, IWallClock wall) =>
        Akka.Actor.Props.Create(() => new WebhookDelivery(webhook, settings, http, wall));
}
