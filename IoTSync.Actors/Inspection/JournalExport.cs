using System.Text.Json;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Serialization;

namespace IoTSync.Inspection;

/// <summary>Builds, writes, reads and verifies journal exports.</summary>
public static class JournalExport
{
    public const string Format = "iotsync-journal-export";
    public const int Version = 1;

    // Every enumeration as a word (origin, kind, outcome, verdict, role), as people and scripts read it;
    // an export written with numbers (before this) still reads.
    private static readonly JsonSerializerOptions Options = new(IoTSyncCodec.Options)
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The export of an audit that kept its entries and found nothing wrong.</summary>
    public static JournalExportDocument From(ActorReport report, DateTimeOffset exportedAt)
    {
        if (!report.Holds || report.FinalLogs is not { } logs || report.DeviceLog.Entries is null || report.MirrorLog.Entries is null)
            throw new InvalidOperationException("only a journal that verifies, audited with its entries kept, can be exported");
        var recorder = report.FinalState as CommandRecorderState;
        var journal = report.FinalState as StateJournalState;
        return new JournalExportDocument(
            Format, Version, report.Device, report.Role, report.PersistenceId, report.Events, exportedAt.ToUnixTimeMilliseconds(),
            new ExportedLog(logs.DeviceLog.Length, logs.DeviceLog.Head, [.. report.DeviceLog.Entries]),
            new ExportedLog(logs.MirrorLog.Length, logs.MirrorLog.Head, [.. report.MirrorLog.Entries]),
            logs.Model,
            logs.Model.Digest(),
            journal?.DeliveredThrough,
            journal?.Divergence,
            recorder is null ? null : [.. recorder.Started]);
    }

    public static byte[] Encode(JournalExportDocument document) => JsonSerializer.SerializeToUtf8Bytes(document, Options);

    /// <summary>Reads an export; a <see cref="FormatException"/> saying why when the bytes are not one.</summary>
    public static JournalExportDocument Decode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<JournalExportDocument>(bytes, Options)
                ?? throw new FormatException("the document is null");
        }
        catch (JsonException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    /// <summary>
    /// Checks an export on its own: the format, each log's chain from its genesis (continuity,
    /// hashes, links), each log's stated length and head, and that replaying both logs through the
    /// model gives the stated model and digest.
    /// </summary>
    public static IReadOnlyList<Finding> Verify(JournalExportDocument document)
    {
        var device = document.Device;
        var findings = new List<Finding>();
        if (document.Format != Format || document.Version != Version)
        {
            findings.Add(new Finding(device, FindingPlace.Document, 0, null,
                $"format '{document.Format}' version {document.Version}; this tool reads '{Format}' version {Version}"));
            return findings;
        }
        if (document.PersistenceId != document.Node.PersistenceId(device))
            findings.Add(new Finding(device, FindingPlace.Document, 0, null,
                $"persistence id {document.PersistenceId} is not the {document.Node.Name()}'s for device {device}"));

        var model = ApplicationState.Empty;
        var chainsHold = true;
        foreach (var origin in new[] { Origin.Device, Origin.Mirror })
        {
            var log = document.Log(origin);
            var walk = new LogWalk(device, origin);
            foreach (var entry in log.Entries.IsDefault ? [] : log.Entries)
            {
                if (walk.Step(entry) is { } fault)
                {
                    findings.Add(fault);
                    break;
                }
                model = model.Apply(entry);
            }
            if (walk.IsBroken)
            {
                chainsHold = false;
                continue;
            }
            if (log.Length != walk.Verified.Length || log.Head != walk.Verified.Head)
            {
                findings.Add(Finding.InLog(device, origin, Math.Min(log.Length, walk.Verified.Length) + 1, null,
                    $"the export states the {origin.LogName()} at {log.Length}@{log.Head.Short}, its entries end at {walk.Verified}"));
                chainsHold = false;
            }
        }
        if (!chainsHold)
            return findings;

        // The model commutes across the two logs, so one log after the other is as good as any interleaving.
        var replayed = model.Digest();
        if (document.Model.Digest() != replayed)
            findings.Add(new Finding(device, FindingPlace.Document, 0, null,
                $"the model state differs from replaying both logs (model {document.Model.Digest().Short}, replay {replayed.Short})"));
        if (document.StateDigest != replayed)
            findings.Add(new Finding(device, FindingPlace.Document, 0, null,
                $"the state digest {document.StateDigest.Short} is not the digest of replaying both logs ({replayed.Short})"));
        if (document.DeliveredThrough is { } delivered && (delivered < 0 || delivered > document.MirrorLog.Length))
            findings.Add(new Finding(device, FindingPlace.Document, 0, null,
                $"delivered-through {delivered} is outside the mirror log (length {document.MirrorLog.Length})"));
        return findings;
    }
}
