namespace IoTSync.Mirror.Alerts;

/// <summary>What the <see cref="WebhookAlerts"/> and its <see cref="WebhookDelivery"/> children are told and answer.</summary>
public static class WebhookAlertsMessages
{
    /// <summary>To a <see cref="WebhookDelivery"/>: send <paramref name="Alert"/> after every alert before it.</summary>
    public sealed record Deliver(Alert Alert);

    /// <summary>Asks for the state of the webhook at <paramref name="Webhook"/> (its index in the configuration); answered with a <see cref="WebhookStatus"/>.</summary>
    public sealed record GetWebhookStatus(int Webhook);

    /// <summary>
    /// One webhook's deliveries since the node started: alerts <paramref name="Waiting"/> in its queue, whether one
    /// is being delivered now (<paramref name="Delivering"/>) and at which attempt, and the totals delivered,
    /// dropped from a full queue, given up after the retry limit, and attempts failed.
    /// </summary>
    public sealed record WebhookStatus(string Url, int Waiting, bool Delivering, int Attempt, long Delivered, long Dropped, long GivenUp, long FailedAttempts);
}
