using Akka.Configuration;
using IoTSync.Configuration;

namespace IoTSync.MirrorApi.Events;

/// <summary>
/// <c>iotsync.mirror.http.events</c>: how often an idle event stream gets a keep-alive comment, how many
/// events the node keeps for clients that reconnect with <c>Last-Event-ID</c>, and how far one subscriber
/// may fall behind before it is disconnected.
/// </summary>
public sealed record EventStreamSettings(TimeSpan KeepAlive, int ReplayBuffer, int SubscriberQueue)
{
    private const string Section = "iotsync.mirror.http.events";

    public static EventStreamSettings FromConfig(Config root) => new(
        root.RequireDuration($"{Section}.keep-alive", TimeSpan.FromMilliseconds(10)),
        root.RequireInt($"{Section}.replay-buffer", 1, 10_000_000),
        root.RequireInt($"{Section}.subscriber-queue", 1, 1_000_000));
}
