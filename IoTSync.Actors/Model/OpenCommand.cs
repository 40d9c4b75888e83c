using System.Collections.Immutable;
using IoTSync.Logs;

namespace IoTSync.Model;

/// <summary>A device command that has no result yet.</summary>
public sealed record OpenCommand(CommandRef Ref, ImmutableArray<string> Argv, long? NotAfterUnixMs, HlcTimestamp IssuedAt, bool CancelRequested);
