using IoTSync.Model;

namespace IoTSync.Mirror;

/// <summary>
/// A message for one device's entity (its <see cref="StateJournal"/>): <see cref="StateJournals"/>
/// routes by <see cref="Device"/>, as a Cluster.Sharding message extractor would.
/// </summary>
public interface IWithDeviceId
{
    DeviceId Device { get; }
}
