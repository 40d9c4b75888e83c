using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Serialization;

namespace IoTSync.Mirror.Cluster;

/// <summary>
/// The node events <see cref="ClusterEventRelay"/> carries to the other mirror nodes, in a form the codec encodes: a
/// <see cref="JournalWritten"/> or <see cref="WindowRecorded"/> holds its event as <c>object</c>, so on the wire the
/// event travels as its own manifest and bytes (<see cref="IoTSyncCodec"/>); a <see cref="HealthChanged"/> field by field.
/// </summary>
public static class ClusterEventRelayMessages
{
    /// <summary>The DistributedPubSub topic every node's relay subscribes to.</summary>
    public const string Topic = "iotsync-mirror-events";

    /// <summary>A <see cref="JournalWritten"/> on the wire.</summary>
    public sealed record RelayedJournalWritten(DeviceId Device, string Manifest, byte[] Event, SyncView View) : IIoTSyncMessage
    {
        public static RelayedJournalWritten Of(JournalWritten written) =>
            new(written.Device, IoTSyncCodec.ManifestOf(written.Event), IoTSyncCodec.Encode(written.Event), written.View);

        public JournalWritten Local() => new(Device, IoTSyncCodec.Decode(Event, Manifest), View);
    }

    /// <summary>A <see cref="WindowRecorded"/> on the wire.</summary>
    public sealed record RelayedWindowRecorded(DeviceId Device, string Manifest, byte[] Event) : IIoTSyncMessage
    {
        public static RelayedWindowRecorded Of(WindowRecorded recorded) =>
            new(recorded.Device, IoTSyncCodec.ManifestOf(recorded.Event), IoTSyncCodec.Encode(recorded.Event));

        public WindowRecorded Local() => new(Device, IoTSyncCodec.Decode(Event, Manifest));
    }

    /// <summary>A <see cref="HealthChanged"/> on the wire.</summary>
    public sealed record RelayedHealthChanged(DeviceId Device, string From, string To, long AtUnixMs, string? Detail) : IIoTSyncMessage
    {
        public static RelayedHealthChanged Of(HealthChanged change) => new(change.Device, change.From, change.To, change.AtUnixMs, change.Detail);

        public HealthChanged Local() => new(Device, From, To, AtUnixMs, Detail);
    }
}
