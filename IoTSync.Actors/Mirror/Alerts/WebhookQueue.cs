using System.Collections.Immutable;

namespace IoTSync.Mirror.Alerts;

/// <summary>
/// The alerts waiting for one webhook, oldest first, at most <see cref="Capacity"/>: when full, the oldest
/// waiting alert is dropped to make room, so a webhook that is down for long gets the newest news, not the
/// stalest. The alert being delivered is not in the queue. Pure.
/// </summary>
public sealed record WebhookQueue(int Capacity, ImmutableQueue<Alert> Waiting, int Count)
{
    /// <summary>An empty queue holding at most <paramref name="capacity"/> (1 or more).</summary>
    public static WebhookQueue Empty(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return new WebhookQueue(capacity, [], 0);
    }

    /// <summary>The queue with <paramref name="alert"/> last, and the alert dropped to make room for it, if any.</summary>
    public (WebhookQueue Queue, Alert? Dropped) Enqueue(Alert alert)
    {
        if (Count < Capacity)
            return (this with { Waiting = Waiting.Enqueue(alert), Count = Count + 1 }, null);
        var rest = Waiting.Dequeue(out var oldest);
        return (this with { Waiting = rest.Enqueue(alert) }, oldest);
    }

    /// <summary>The queue without its oldest alert, and that alert; null when the queue is empty.</summary>
    public (WebhookQueue Queue, Alert? Next) Take() =>
        Count == 0 ? (this, null) : (this with { Waiting = Waiting.Dequeue(out var next), Count = Count - 1 }, next);
}
