using IoTSync.Logs;
using IoTSync.Model;

namespace IoTSync.MirrorApi.Events;

/// <summary>
/// One event as the <see cref="LiveEventHub"/> numbered it: its serial in this run, the device, the SSE
/// event type (<see cref="LiveEventTypes"/>), the resource sent as <c>data:</c>, and for an entry where it
/// stands (<see cref="Entry"/>), so a device stream can skip what its journal replay already sent.
/// </summary>
public sealed record LiveEvent(long Serial, DeviceId Device, string Type, object Data, StoredEntry? Entry);

/// <summary>An entry's log and sequence, and the device's update numbers through it.</summary>
public sealed record StoredEntry(Origin Origin, long Sequence, long DeviceLog, long MirrorLog);

/// <summary>The <c>event:</c> names of the live streams.</summary>
public static class LiveEventTypes
{
    public const string Open = "open";
    public const string Entry = "entry";
    public const string Command = "command";
    public const string Window = "window";
    public const string Health = "health";
}
