namespace IoTSync.MirrorApi.Resources;

/// <summary>
/// A command to leave for a device: the argument vector (no shell), and optionally until when the
/// device may run it (<see cref="NotAfterUnixMs"/>) or for how long from now (<see cref="ExpiresInMs"/>);
/// neither: the node's <c>command-expires-after</c>.
/// </summary>
public sealed record SubmitCommandRequest(IReadOnlyList<string>? Argv, long? NotAfterUnixMs = null, long? ExpiresInMs = null);

/// <summary>
/// Where a mirror command stands: <c>pending</c> (at the mirror only), <c>delivered</c> (the device holds
/// it), <c>resolved</c> (the device's <see cref="Result"/> is in), <c>applied</c> (a property operation:
/// nothing runs); the command entry, and the device's result entry once resolved.
/// </summary>
public sealed record CommandResource(string Device, long Sequence, string Status, ResultResource? Result, EntryResource Command, EntryResource? ResultEntry);
