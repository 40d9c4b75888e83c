using IoTSync.Journal;
using IoTSync.Model;
using IoTSync.Serialization;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.Mirror;

/// <summary>Where a mirror command stands.</summary>
public enum CommandStatus
{
    /// <summary>No such mirror log entry.</summary>
    Unknown,

    /// <summary>A property operation: applied by the model, nothing to run.</summary>
    Applied,

    /// <summary>Written at the mirror; the device does not hold it yet.</summary>
    Pending,

    /// <summary>The device holds it; no result yet.</summary>
    Delivered,

    /// <summary>The device recorded a result; its entry says which outcome.</summary>
    Resolved,
}

/// <summary>
/// The mirror's state for one device: both logs (the mirror log it writes, its replica of the
/// device log), how far the device has confirmed the mirror log, whether the device diverged, and
/// its window history (<see cref="Windows"/>: null until the first heartbeat or session is recorded,
/// so a snapshot written before window history existed still decodes and still equals its replay).
/// </summary>
public sealed record StateJournalState(LogPair Logs, long DeliveredThrough, DivergenceDetected? Divergence, WindowHistory? Windows = null) : IIoTSyncMessage
{
    public static StateJournalState Empty(DeviceId device) => new(LogPair.Empty(device), 0, null);

    public DeviceId Device => Logs.Device;

    public bool IsDiverged => Divergence is not null;

    /// <summary>The window history, empty when none was recorded.</summary>
    public WindowHistory History => Windows ?? WindowHistory.Empty;

    public StateJournalState Apply(object @event, long journalSequenceNr) => @event switch
    {
        EntryAppended { Entry: var entry } => this with { Logs = Logs.Append(entry, journalSequenceNr) },
        DeliveryConfirmed confirmed => this with { DeliveredThrough = Math.Max(DeliveredThrough, confirmed.MirrorLogLength) },
        DivergenceDetected diverged => this with { Divergence = diverged },
        HeartbeatRecorded heartbeat => this with { Windows = History.Apply(heartbeat) },
        SessionRecorded session => this with { Windows = History.Apply(session) },
        _ => this,
    };

    /// <summary>
    /// The status of mirror entry <paramref name="sequence"/> as far as state can tell; resolved
    /// outcomes live in the device's result entry in the journal, not here.
    /// </summary>
    public CommandStatus StatusOf(long sequence)
    {
        if (sequence < 1 || sequence > Logs.MirrorLog.Length)
            return CommandStatus.Unknown;
        var reference = new CommandRef(Origin.Mirror, sequence);
        if (Logs.Model.OpenCommands.ContainsKey(reference))
            return sequence <= DeliveredThrough ? CommandStatus.Delivered : CommandStatus.Pending;
        return CommandStatus.Resolved;
    }
}
