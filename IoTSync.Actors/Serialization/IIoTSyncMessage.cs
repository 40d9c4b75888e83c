namespace IoTSync.Serialization;

/// <summary>
/// Marker for everything that crosses a process boundary or lands in the journal: events,
/// snapshots, protocol and actor messages. Bound to <see cref="IoTSyncSerializer"/>, never to a
/// type-naming serializer.
/// </summary>
public interface IIoTSyncMessage;
