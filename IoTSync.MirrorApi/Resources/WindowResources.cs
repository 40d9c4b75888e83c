namespace IoTSync.MirrorApi.Resources;

/// <summary>How many windows the mirror has seen of the device, its cycle, and the newest windows, oldest first.</summary>
public sealed record WindowList(string Device, long TotalWindows, long CyclePeriodMs, IReadOnlyList<WindowResource> Windows);

/// <summary>
/// One window: the device's window number, when the mirror answered its heartbeat (null: the
/// heartbeat never got through), the device's own measurement of it (null until its next heartbeat
/// reports it), and the session the mirror ran in it (null: nothing to sync).
/// </summary>
public sealed record WindowResource(int? Number, long? HeartbeatAtUnixMs, WindowSummary? Device, SessionResource? Session);

/// <summary>A sync session: when and how long, entries each way, and how it ended (<see cref="Error"/> when it failed).</summary>
public sealed record SessionResource(string Id, long StartedAtUnixMs, long DurationMs, int EntriesPushed, int EntriesPulled, string Outcome, string? Error);
