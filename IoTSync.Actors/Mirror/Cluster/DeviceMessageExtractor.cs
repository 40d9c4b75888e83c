using Akka.Cluster.Sharding;

namespace IoTSync.Mirror.Cluster;

/// <summary>
/// Routes every message that names its device (<see cref="IWithDeviceId"/>) to that device's journal entity:
/// the entity id is the device id, the shard a stable hash of it. The message goes to the entity as sent.
/// </summary>
public sealed class DeviceMessageExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    public override string? EntityId(object message) => (message as IWithDeviceId)?.Device.Value;
}
