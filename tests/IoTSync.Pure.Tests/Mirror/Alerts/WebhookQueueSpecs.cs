using IoTSync.Mirror;
using IoTSync.Mirror.Alerts;
using IoTSync.Model;
using Xunit;

namespace IoTSync.Tests.Mirror.Alerts;

public sealed class WebhookQueueSpecs
{
    private static Alert Numbered(int n) => new($"id-{n}", "late", new HealthChanged(new DeviceId("dev-1"), "ok", "late", n, null));

    [Fact]
    public void Should_give_alerts_back_oldest_first()
    {
        var queue = WebhookQueue.Empty(3);
        queue = queue.Enqueue(Numbered(1)).Queue.Enqueue(Numbered(2)).Queue;

        (queue, var first) = queue.Take();
        (queue, var second) = queue.Take();
        (queue, var none) = queue.Take();

        Assert.Equal(["id-1", "id-2"], new[] { first!.Id, second!.Id });
        Assert.Null(none);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Should_drop_the_oldest_when_full()
    {
        var queue = WebhookQueue.Empty(2);
        var dropped = new List<string>();
        for (var n = 1; n <= 5; n++)
        {
            (queue, var lost) = queue.Enqueue(Numbered(n));
            if (lost is not null)
                dropped.Add(lost.Id);
        }

        Assert.Equal(["id-1", "id-2", "id-3"], dropped);
        Assert.Equal(2, queue.Count);
        Assert.Equal(["id-4", "id-5"], queue.Waiting.Select(a => a.Id));
    }

    [Fact]
    public void Should_refuse_a_capacity_below_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WebhookQueue.Empty(0));
    }
}
