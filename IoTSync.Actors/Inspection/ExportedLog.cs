using System.Collections.Immutable;
using IoTSync.Logs;

namespace IoTSync.Inspection;

/// <summary>One log in an export: its length and head, and every entry with every field.</summary>
public sealed record ExportedLog(long Length, Sha256Hash Head, ImmutableArray<LogEntry> Entries);
