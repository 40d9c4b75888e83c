using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using IoTSync.Logs;
using static IoTSync.Mirror.Alerts.WebhookAlertsMessages;

namespace IoTSync.Mirror.Alerts;

/// <summary>
/// Sends health changes to the configured webhooks: subscribed to <see cref="HealthChanged"/> on the actor
/// system's EventStream, it decides per webhook what it is sent (<see cref="AlertRouting"/>), gives each
/// alert one id, and hands it to that webhook's <see cref="WebhookDelivery"/> child, which delivers in
/// order with retries. Started only when at least one webhook is configured.
/// </summary>
public sealed class WebhookAlerts : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly AlertSettings _settings;
    private readonly HttpClient _http;
    private readonly IActorRef[] _deliveries;
    private readonly AlertRouting[] _routings;

    public WebhookAlerts(AlertSettings settings, IWallClock wall)
    {
        _settings = settings;
        // A redirect would carry the signed alert somewhere the configuration did not name: 3xx is a failure.
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = settings.RequestTimeout })
        {
            Timeout = settings.RequestTimeout,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("IoTSync-Mirror");
        _deliveries = [.. settings.Webhooks.Select((webhook, i) => Context.ActorOf(WebhookDelivery.Props(webhook, settings, _http, wall), $"webhook-{i}"))];
        _routings = [.. settings.Webhooks.Select(webhook => AlertRouting.For(webhook.Kinds))];

        Receive<HealthChanged>(change =>
        {
            string? id = null;
            for (var i = 0; i < _routings.Length; i++)
            {
                (_routings[i], var kind) = _routings[i].Route(change);
                if (kind is null)
                    continue;
                // One id per change, the same at every webhook: it is the change that is news, not its copy.
                id ??= Guid.CreateVersion7().ToString();
                _deliveries[i].Tell(new Deliver(new Alert(id, kind, change)));
            }
        });

        Receive<GetWebhookStatus>(query =>
        {
            if (query.Webhook >= 0 && query.Webhook < _deliveries.Length)
                _deliveries[query.Webhook].Forward(query);
            else
                Sender.Tell(new Status.Failure(new ArgumentOutOfRangeException(nameof(query), $"no webhook {query.Webhook}: {_deliveries.Length} configured")));
        });
    }

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(HealthChanged));
        foreach (var webhook in _settings.Webhooks)
            _log.Info("alerts: webhook {0} is sent {1}", webhook.Display, string.Join(", ", webhook.Kinds.Order(StringComparer.Ordinal)));
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        _http.Dispose();
    }

    public static Props Props(AlertSettings settings, IWallClock wall) => Akka.Actor.Props.Create(() => new WebhookAlerts(settings, wall));
}
