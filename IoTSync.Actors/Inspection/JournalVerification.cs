using IoTSync.Logs;
using IoTSync.Model;

namespace IoTSync.Inspection;

/// <summary>
/// <c>journal verify</c>: audits a node's journal (every device, or one), or checks an export on
/// its own, and with <see cref="VerifyRequest.Against"/> compares the copy with the other side's.
/// </summary>
public static class JournalVerification
{
    /// <summary>The comparison's name in findings.</summary>
    public const string ComparisonSource = "comparison";

    private static ReadOnlySpan<byte> SqliteHeader => "SQLite format 3\0"u8;

    public static async Task<VerificationResult> Run(VerifyRequest request, Func<string, IProgress<long>?>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var copies = new List<VerifiedCopy>();
        var findings = new List<SourcedFinding>();
        var others = new List<string>();
        var device = request.Device is null ? (DeviceId?)null : ParseDevice(request.Device);

        JournalExportDocument? document = null;
        if (request.ExportFile is { } exportFile)
        {
            document = ReadExport(exportFile, findings);
            if (document is null)
                return new VerificationResult(copies, findings, null, others);
            if (device is { } named && named != document.Device)
                throw new InspectionException($"{exportFile} is an export of device {document.Device}, not {named}");
            device = document.Device;
        }
        var thisRole = document?.Node ?? request.Role;

        ReadOnlyJournal? journal = null;
        try
        {
            JournalInspector? inspector = null;
            if (document is null)
            {
                journal = request.Store is { } store
                    ? ReadOnlyJournal.Open(store)
                    : ReadOnlyJournal.Open(request.DatabasePath ?? throw new InspectionException("no database given"));
                inspector = new JournalInspector(journal, thisRole);
                if (device is null && request.Against is not null && thisRole == NodeRole.Device)
                    device = await SingleDevice(inspector, cancellationToken);
            }

            SideCopy? other = null;
            if (request.Against is { } against)
            {
                device ??= await DeviceOf(against, thisRole.Other(), cancellationToken);
                other = await LoadCopy(against, thisRole.Other(), device.Value, copies, findings, others, progress, cancellationToken);
            }

            SideCopy? mine = null;
            if (document is not null)
            {
                var source = request.ExportFile!;
                var documentFindings = JournalExport.Verify(document);
                findings.AddRange(documentFindings.Select(f => new SourcedFinding(source, f)));
                copies.Add(Summary(document, source, documentFindings.Count == 0));
                mine = SideCopy.Of(document, source);
            }
            else
            {
                var devices = device is { } one ? [await inspector!.Resolve(one.Value, cancellationToken)] : await inspector!.Devices(cancellationToken);
                foreach (var each in devices)
                {
                    var report = await inspector.Audit(each, keepEntries: other is not null, progress: progress?.Invoke(each.Value), cancellationToken: cancellationToken);
                    findings.AddRange(report.Findings.Select(f => new SourcedFinding(journal!.DatabasePath, f)));
                    copies.Add(Summary(report, journal!.DatabasePath));
                    var windows = await WindowHistoryOf(inspector, report, findings, others, cancellationToken);
                    if (other is not null)
                        mine = SideCopy.Of(report, journal.DatabasePath, windows);
                }
                if (thisRole == NodeRole.Mirror && await inspector.AuditRegistry(cancellationToken) is { } registry)
                {
                    findings.AddRange(registry.Findings.Select(f => new SourcedFinding(journal!.DatabasePath, f)));
                    others.Add(registry.Describe());
                }
                if (thisRole == NodeRole.Mirror && await inspector.AuditTokens(cancellationToken) is { } tokens)
                {
                    findings.AddRange(tokens.Findings.Select(f => new SourcedFinding(journal!.DatabasePath, f)));
                    others.Add(tokens.Describe());
                }
            }

            string? comparison = null;
            if (mine is not null && other is not null)
            {
                findings.AddRange(CrossCheck.Compare(mine, other).Select(f => new SourcedFinding(ComparisonSource, f)));
                comparison = $"{mine.Role.Name()}'s copy ({mine.Source}) against the {other.Role.Name()}'s ({other.Source})";
                var agreed = (mine.Role == NodeRole.Mirror ? mine : other).AgreedAtLastSync;
                comparison += agreed is null
                    ? " (no converged sync recorded to hold them to)"
                    : $" and the heads both confirmed at the last sync (device log {agreed.DeviceLog}, mirror log {agreed.MirrorLog})";
            }
            return new VerificationResult(copies, findings, comparison, others);
        }
        finally
        {
            if (journal is not null)
                await journal.DisposeAsync();
        }
    }

    /// <summary>Whether a file is a SQLite database (else it is taken for an export).</summary>
    public static bool IsDatabase(string path)
    {
        Span<byte> header = stackalloc byte[16];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length && header.SequenceEqual(SqliteHeader);
    }

    /// <summary>Reads an export file; one that does not parse is a finding, not an error.</summary>
    public static JournalExportDocument? ReadExport(string path, List<SourcedFinding> findings)
    {
        if (!File.Exists(path))
            throw new InspectionException($"no export at {Path.GetFullPath(path)}");
        try
        {
            return JournalExport.Decode(File.ReadAllBytes(path));
        }
        catch (FormatException e)
        {
            findings.Add(new SourcedFinding(path, new Finding(null, FindingPlace.Document, 0, null, $"not a readable journal export: {e.Message}")));
            return null;
        }
    }

    /// <summary>
    /// A mirror device's window history journal audited beside its state journal (its findings and
    /// line added); the history, or null on a device's node, without one, or when it does not hold.
    /// </summary>
    private static async Task<Mirror.WindowHistory?> WindowHistoryOf(JournalInspector inspector, ActorReport report, List<SourcedFinding> findings,
        List<string> others, CancellationToken cancellationToken)
    {
        if (inspector.Role != NodeRole.Mirror)
            return null;
        var audit = await inspector.AuditWindowHistory(report.Device, (report.FinalState as Mirror.StateJournalState)?.Windows, cancellationToken);
        if (audit is null)
            return null;
        findings.AddRange(audit.Findings.Select(f => new SourcedFinding(inspector.Journal.DatabasePath, f)));
        others.Add(audit.Describe());
        return audit.History;
    }

    private static async Task<SideCopy?> LoadCopy(string path, NodeRole role, DeviceId device, List<VerifiedCopy> copies,
        List<SourcedFinding> findings, List<string> others, Func<string, IProgress<long>?>? progress, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
            throw new InspectionException($"nothing at {Path.GetFullPath(path)} to compare with");
        if (IsDatabase(path))
        {
            await using var journal = ReadOnlyJournal.Open(path);
            var inspector = new JournalInspector(journal, role);
            await inspector.Resolve(device.Value, cancellationToken);
            var report = await inspector.Audit(device, keepEntries: true, progress: progress?.Invoke($"{device} in {Path.GetFileName(path)}"), cancellationToken: cancellationToken);
            findings.AddRange(report.Findings.Select(f => new SourcedFinding(journal.DatabasePath, f)));
            copies.Add(Summary(report, journal.DatabasePath));
            return SideCopy.Of(report, journal.DatabasePath, await WindowHistoryOf(inspector, report, findings, others, cancellationToken));
        }
        var document = ReadExport(path, findings);
        if (document is null)
            return null;
        if (document.Device != device)
            throw new InspectionException($"{path} is an export of device {document.Device}, not {device}");
        if (document.Node != role)
            throw new InspectionException($"{path} is the {document.Node.Name()}'s copy; compare with the {role.Name()}'s");
        var documentFindings = JournalExport.Verify(document);
        findings.AddRange(documentFindings.Select(f => new SourcedFinding(path, f)));
        copies.Add(Summary(document, path, documentFindings.Count == 0));
        return SideCopy.Of(document, path);
    }

    /// <summary>The device a comparison is about when none was named: the one the other copy holds.</summary>
    private static async Task<DeviceId> DeviceOf(string path, NodeRole role, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
            throw new InspectionException($"nothing at {Path.GetFullPath(path)} to compare with");
        if (!IsDatabase(path))
        {
            var unread = new List<SourcedFinding>();
            return ReadExport(path, unread)?.Device
                ?? throw new InspectionException($"{path} is neither a database nor a readable export: {unread[0].Finding.Reason}");
        }
        await using var journal = ReadOnlyJournal.Open(path);
        return await SingleDevice(new JournalInspector(journal, role), cancellationToken);
    }

    private static async Task<DeviceId> SingleDevice(JournalInspector inspector, CancellationToken cancellationToken)
    {
        var devices = await inspector.Devices(cancellationToken);
        return devices.Count switch
        {
            1 => devices[0],
            0 => throw new InspectionException($"{inspector.Journal.DatabasePath} holds no {inspector.Role.ActorName()} journal"),
            _ => throw new InspectionException($"{inspector.Journal.DatabasePath} holds several devices ({string.Join(", ", devices)}): name one"),
        };
    }

    private static DeviceId ParseDevice(string device) =>
        DeviceId.IsValid(device) ? new DeviceId(device) : throw new InspectionException($"'{device}' is not a device id (1-64 of a-z, 0-9, '-', '_')");

    private static VerifiedCopy Summary(ActorReport report, string source) => new(
        source, report.Role, report.Device, report.Events, report.DeviceLog.Seen, report.MirrorLog.Seen, report.StateDigest,
        report.SnapshotSequenceNr, report.Snapshot, report.Holds, IsExport: false);

    private static VerifiedCopy Summary(JournalExportDocument document, string source, bool holds) => new(
        source, document.Node, document.Device, document.JournalEvents,
        new LogPosition(document.DeviceLog.Length, document.DeviceLog.Head), new LogPosition(document.MirrorLog.Length, document.MirrorLog.Head),
        document.StateDigest, null, SnapshotCheck.None, holds, IsExport: true);
}
