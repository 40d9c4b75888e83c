using IoTSync.Protocol;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.Mirror;

/// <summary>
/// One window of a device as the mirror knows it: the device's window number, when the mirror
/// answered its heartbeat (null for a window whose heartbeat never got through), the device's own
/// report of it (from its next heartbeat; null until then, or for good when that heartbeat was
/// lost), and the session the mirror ran in it (null when there was nothing to sync).
/// </summary>
public sealed record WindowRecord(int? Number, long? HeartbeatAtUnixMs, WindowReport? Device, SessionRecorded? Session);
