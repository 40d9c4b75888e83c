using IoTSync.Logs;
using IoTSync.Model;

namespace IoTSync.Mirror;

/// <summary>
/// Published on the mirror's event stream by a device's <see cref="StateJournal"/> after each event it
/// persists (never in recovery): the event (an entry in either log, a confirmed delivery, a divergence)
/// and the logs' heads after it. In-process only: the HTTP API's waits and live events follow it.
/// </summary>
public sealed record JournalWritten(DeviceId Device, object Event, SyncView View);
