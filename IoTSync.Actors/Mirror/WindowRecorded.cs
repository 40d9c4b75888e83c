using IoTSync.Model;

namespace IoTSync.Mirror;

/// <summary>
/// Published on the mirror's event stream by a device's <see cref="WindowHistoryJournal"/> after each
/// window event it persists (never in recovery): a <see cref="StateJournalEvents.HeartbeatRecorded"/> or a
/// <see cref="StateJournalEvents.SessionRecorded"/>. In-process only: the HTTP API's live events and
/// metrics follow it.
/// </summary>
public sealed record WindowRecorded(DeviceId Device, object Event);
