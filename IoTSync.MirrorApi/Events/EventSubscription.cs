using System.Threading.Channels;
using IoTSync.Model;

namespace IoTSync.MirrorApi.Events;

/// <summary>
/// One open event stream's queue in the <see cref="LiveEventHub"/>: the device it follows (the whole fleet
/// when null) and the events not yet written to it. Bounded: when full, the hub disconnects it.
/// </summary>
public sealed class EventSubscription(DeviceId? device, Channel<LiveEvent> queue)
{
    public DeviceId? Device { get; } = device;

    /// <summary>True once the hub disconnected this subscriber for falling behind.</summary>
    public bool TooSlow { get; private set; }

    public ChannelReader<LiveEvent> Events => queue.Reader;

    public bool Wants(LiveEvent live) => Device is not { } device || live.Device == device;

    internal bool Offer(LiveEvent live) => queue.Writer.TryWrite(live);

    internal void Disconnect()
    {
        TooSlow = true;
        queue.Writer.TryComplete();
    }

    internal void Close() => queue.Writer.TryComplete();
}
