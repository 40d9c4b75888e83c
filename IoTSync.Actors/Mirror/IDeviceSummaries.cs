using IoTSync.Model;

namespace IoTSync.Mirror;

/// <summary>Where the <see cref="HealthWatch"/> reads devices' summaries: the node's <see cref="DeviceBoard"/>.</summary>
public interface IDeviceSummaries
{
    /// <summary>The device's latest summary on this node, or null when none has reached it.</summary>
    DeviceSummary? Find(DeviceId device);
}
