namespace IoTSync.MirrorApi.Resources;

/// <summary>
/// One log entry as stored, hash chain included, so an application can check it: its log
/// (<c>device</c> or <c>mirror</c>), sequence, kind (<c>command</c>, <c>result</c>, <c>cancel</c>), the hybrid
/// timestamp (wall ms and counter), who wrote it, and per kind the argument vector and its deadline,
/// the command it answers or cancels, and the result.
/// </summary>
public sealed record EntryResource(
    string Origin,
    long Sequence,
    string Kind,
    long WallMs,
    int Counter,
    string Issuer,
    IReadOnlyList<string> Argv,
    long? NotAfterUnixMs,
    CommandRefResource? Target,
    ResultResource? Result,
    string PreviousHash,
    string Hash);

/// <summary>A command by its log and sequence.</summary>
public sealed record CommandRefResource(string Origin, long Sequence);

/// <summary>What a device command did: <c>executed</c>, <c>failed</c>, <c>refused</c>, <c>expired</c> or <c>cancelled</c>.</summary>
public sealed record ResultResource(string Outcome, int ExitCode, string Output, bool Truncated, long DurationMs);

/// <summary>
/// A page of one log from <see cref="From"/>; <see cref="Next"/> is where the next page starts, null
/// when this page reaches the log's end (<see cref="Length"/> then).
/// </summary>
public sealed record EntryPage(string Device, string Origin, long From, long Length, IReadOnlyList<EntryResource> Entries, long? Next);

/// <summary>
/// What changed in both logs after the update numbers asked with (<c>since=d12,m7</c>), oldest first
/// per log, and the update numbers to ask with next time; <see cref="More"/> when the page was full.
/// </summary>
public sealed record ChangeSet(string Device, IReadOnlyList<EntryResource> DeviceEntries, IReadOnlyList<EntryResource> MirrorEntries, string Next, bool More);
