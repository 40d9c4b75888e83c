using System.Collections.Concurrent;
using Akka.Actor;
using IoTSync.Model;

namespace IoTSync.Mirror;

/// <summary>
/// The node's board of device summaries: every device's latest <see cref="DeviceSummary"/>, read by the fleet listing
/// and the <see cref="HealthWatch"/> without asking (or waking) any journal. Each device's <see cref="StateJournal"/>
/// posts its summary whenever it changes (<see cref="Post"/>). On a single node the post is written here at once, on
/// the journal's thread before it replies, so whoever wrote to a journal and then lists the fleet sees the write.
/// On a cluster node (<see cref="ReplicateThrough"/>) a post goes to the node's <see cref="Cluster.BoardReplicator"/>,
/// which writes it to Distributed Data, and this board holds what Distributed Data holds (<see cref="Hold"/>): every
/// node then reads the whole fleet's summaries, a moment after they were posted anywhere. Thread-safe.
/// </summary>
public sealed class DeviceBoard : IDeviceSummaries
{
    private readonly ConcurrentDictionary<DeviceId, DeviceSummary> _summaries = new();
    private volatile IActorRef? _replicator;

    /// <summary>How many devices the board holds.</summary>
    public int Count => _summaries.Count;

    public DeviceSummary? Find(DeviceId device) => _summaries.GetValueOrDefault(device);

    /// <summary>A device's summary as its journal has it now.</summary>
    public void Post(DeviceSummary summary)
    {
        if (_replicator is { } replicator)
            replicator.Tell(summary);
        else
            _summaries[summary.Device] = summary;
    }

    /// <summary>From now on posts go to <paramref name="replicator"/> (a cluster node's <see cref="Cluster.BoardReplicator"/>), which fills the board.</summary>
    public void ReplicateThrough(IActorRef replicator) => _replicator = replicator;

    /// <summary>What the cluster's replicated board holds for a device (the <see cref="Cluster.BoardReplicator"/> only).</summary>
    public void Hold(DeviceSummary summary) => _summaries[summary.Device] = summary;
}
