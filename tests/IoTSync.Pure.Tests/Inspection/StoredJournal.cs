using IoTSync.Device;
using IoTSync.Inspection;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Serialization;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.Tests.Inspection;

/// <summary>
/// A persistent actor's journal as the read journal hands it out, built in memory for the pure
/// audit specs: a device log and a mirror log, their events in a plausible interleaving, and the
/// snapshot the actor would have taken at any point.
/// </summary>
internal sealed class StoredJournal
{
    public static readonly DeviceId Device = new("dev-a");
    public static readonly DateTimeOffset Start = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);

    public TestLog DeviceLog { get; } = new(Device, Origin.Device);
    public TestLog MirrorLog { get; } = new(Device, Origin.Mirror);
    public List<object> Events { get; } = [];

    /// <summary>A mirror's journal: mirror commands, the device's entries pulled in, a delivery confirmation.</summary>
    public static StoredJournal OfMirror()
    {
        var journal = new StoredJournal();
        journal.Add(journal.MirrorLog.Command("set", "mode", "eco"));
        journal.Add(journal.MirrorLog.Command("reboot"));
        journal.Add(journal.DeviceLog.Command("uptime"));
        journal.Events.Add(new DeliveryConfirmed(2));
        journal.Add(journal.DeviceLog.Result(new CommandRef(Origin.Mirror, 2)));
        journal.Add(journal.DeviceLog.Result(new CommandRef(Origin.Device, 1)));
        journal.Add(journal.MirrorLog.Command("set", "mode", "boost"));
        journal.Add(journal.DeviceLog.Command("set", "fan", "on"));
        return journal;
    }

    /// <summary>A device's journal: its own command started and answered, the mirror's entries it received.</summary>
    public static StoredJournal OfDevice()
    {
        var journal = new StoredJournal();
        journal.Add(journal.DeviceLog.Command("uptime"));
        journal.Events.Add(new CommandRecorderEvents.CommandStarted(new CommandRef(Origin.Device, 1)));
        journal.Add(journal.DeviceLog.Result(new CommandRef(Origin.Device, 1)));
        journal.Add(journal.MirrorLog.Command("set", "mode", "eco"));
        journal.Add(journal.DeviceLog.Command("set", "fan", "on"));
        return journal;
    }

    public void Add(LogEntry entry) => Events.Add(new EntryAppended(entry));

    /// <summary>The events as stored: journal sequence numbers from 1, one second apart.</summary>
    public List<StoredEvent> Stored() =>
        [.. Events.Select((e, i) => new StoredEvent(i + 1, Start.AddSeconds(i).UtcTicks, e))];

    /// <summary>The state the actor holds after the first <paramref name="events"/> events, as its snapshot would.</summary>
    public StoredSnapshot SnapshotAt(NodeRole role, int events)
    {
        object state = role == NodeRole.Mirror ? StateJournalState.Empty(Device) : CommandRecorderState.Empty(Device);
        for (var i = 0; i < events; i++)
            state = state is StateJournalState s ? s.Apply(Events[i], i + 1) : ((CommandRecorderState)state).Apply(Events[i], i + 1);
        // Through the codec, as the snapshot store would hand it back.
        var decoded = IoTSyncCodec.Decode(IoTSyncCodec.Encode(state), IoTSyncCodec.ManifestOf(state));
        return new StoredSnapshot(events, Start.AddSeconds(events), decoded);
    }

    public static ActorReport Audit(NodeRole role, IEnumerable<StoredEvent> events, StoredSnapshot? snapshot = null, bool keepEntries = false,
        DateTimeOffset? countSince = null)
    {
        var audit = new ActorAudit(role, Device, snapshot, keepEntries, countSince);
        foreach (var stored in events)
            audit.Feed(stored);
        return audit.Complete();
    }

    /// <summary>The bytes the journal holds for an event, with one byte replaced.</summary>
    public static UndecodablePayload Spoiled(object @event, Func<byte[], byte[]> spoil)
    {
        var bytes = spoil(IoTSyncCodec.Encode(@event));
        var manifest = IoTSyncCodec.ManifestOf(@event);
        try
        {
            IoTSyncCodec.Decode(bytes, manifest);
        }
        catch (FormatException e)
        {
            return new UndecodablePayload(manifest, bytes, e.Message);
        }
        throw new InvalidOperationException("the spoiled bytes still decode");
    }
}
