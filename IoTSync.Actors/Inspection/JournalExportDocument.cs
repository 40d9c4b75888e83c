using System.Collections.Immutable;
using IoTSync.Logs;
using IoTSync.Model;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.Inspection;

/// <summary>
/// A self-contained copy of one device's journal as one side holds it: both logs, their heads,
/// the model state and its digest, and the format version. <see cref="JournalExport.Verify"/>
/// checks it without the database. Entries, hashes and the model are written by the project's
/// codec, so they read back exactly.
/// </summary>
public sealed record JournalExportDocument(
    string Format,
    int Version,
    DeviceId Device,
    NodeRole Node,
    string PersistenceId,
    long JournalEvents,
    long ExportedAtUnixMs,
    ExportedLog DeviceLog,
    ExportedLog MirrorLog,
    ApplicationState Model,
    Sha256Hash StateDigest,
    long? DeliveredThrough,
    DivergenceDetected? Divergence,
    ImmutableArray<CommandRef>? StartedCommands)
{
    public ExportedLog Log(Origin origin) => origin == Origin.Device ? DeviceLog : MirrorLog;
}
