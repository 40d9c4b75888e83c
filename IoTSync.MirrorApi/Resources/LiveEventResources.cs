namespace IoTSync.MirrorApi.Resources;

/// <summary>
/// A live <c>entry</c> event: an entry stored in either of the device's logs. On a device stream the event's
/// id ends with the device's update numbers through it (<c>.d12,m7</c>).
/// </summary>
public sealed record EntryEventResource(string Device, EntryResource Entry);

/// <summary>
/// A live <c>window</c> event: a heartbeat the mirror answered (<see cref="Kind"/> <c>heartbeat</c>, with the
/// device's cycle and its report of its previous window) or a session it ran (<c>session</c>).
/// </summary>
public sealed record WindowEventResource(string Device, string Kind, long AtUnixMs, long? CyclePeriodMs, WindowSummary? PreviousWindow, SessionResource? Session);

/// <summary>A live <c>health</c> event: the device's status went from one word to another (as listings show them), and why.</summary>
public sealed record HealthEventResource(string Device, string From, string To, long AtUnixMs, string? Detail);

/// <summary>
/// The first event of every stream (<c>open</c>): the stream (<see cref="Device"/>, null for the fleet), the id
/// it continues from, and whether the node could replay everything after the client's <c>Last-Event-ID</c>
/// (<see cref="Complete"/>); when not, <see cref="Gap"/> says what may be missing and why.
/// </summary>
public sealed record StreamOpenedResource(string? Device, string Id, bool Complete, string? Gap);
