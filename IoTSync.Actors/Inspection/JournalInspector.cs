using IoTSync.Mirror;
using IoTSync.Mirror.Tokens;
using IoTSync.Model;

namespace IoTSync.Inspection;

/// <summary>
/// The journal of one node, read for inspection: which devices' actors it holds, and an audit of
/// each. Reads through <see cref="ReadOnlyJournal"/>; judges with <see cref="ActorAudit"/>.
/// </summary>
public sealed class JournalInspector(ReadOnlyJournal journal, NodeRole role)
{
    /// <summary>How often an audit reports progress, in events.</summary>
    public const int ProgressEvery = 2000;

    public NodeRole Role => role;

    public ReadOnlyJournal Journal => journal;

    /// <summary>The devices whose actor of this node's kind has events here, in order.</summary>
    public async Task<IReadOnlyList<DeviceId>> Devices(CancellationToken cancellationToken = default)
    {
        var ids = await journal.PersistenceIds(cancellationToken);
        return [.. ids.Select(id => role.DeviceOf(id)).OfType<DeviceId>().OrderBy(d => d.Value, StringComparer.Ordinal)];
    }

    /// <summary>The device named on the command line, if this journal holds its actor.</summary>
    public async Task<DeviceId> Resolve(string device, CancellationToken cancellationToken = default)
    {
        if (!DeviceId.IsValid(device))
            throw new InspectionException($"'{device}' is not a device id (1-64 of a-z, 0-9, '-', '_')");
        var id = new DeviceId(device);
        var held = await Devices(cancellationToken);
        if (held.Contains(id))
            return id;
        var known = held.Count == 0 ? "it holds none" : "it holds " + string.Join(", ", held);
        throw new InspectionException($"{journal.DatabasePath} holds no {role.ActorName()} journal for device {device} ({known})");
    }

    /// <summary>Audits one device's actor: every event, and its latest snapshot.</summary>
    public async Task<ActorReport> Audit(DeviceId device, bool keepEntries = false, DateTimeOffset? countSince = null,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var persistenceId = role.PersistenceId(device);
        var snapshot = await journal.LatestSnapshot(persistenceId, cancellationToken);
        var audit = new ActorAudit(role, device, snapshot, keepEntries, countSince);
        await foreach (var stored in journal.Events(persistenceId, cancellationToken: cancellationToken))
        {
            audit.Feed(stored);
            if (audit.Events % ProgressEvery == 0)
                progress?.Report(audit.Events);
        }
        progress?.Report(audit.Events);
        return audit.Complete();
    }

    /// <summary>
    /// Audits one device's window history journal (a mirror's), replayed from its snapshot or else
    /// from <paramref name="seed"/>, the history the device's state journal holds; null when the
    /// device has no window history journal and no seed.
    /// </summary>
    public async Task<WindowHistoryAudit?> AuditWindowHistory(DeviceId device, WindowHistory? seed, CancellationToken cancellationToken = default)
    {
        var persistenceId = WindowHistoryJournal.PersistenceIdPrefix + device.Value;
        var snapshot = await journal.LatestSnapshot(persistenceId, cancellationToken);
        if (snapshot is null && seed is null && await journal.HighestSequenceNr(persistenceId, cancellationToken) == 0)
            return null;
        var audit = new WindowHistoryAudit(device, snapshot, seed);
        await foreach (var stored in journal.Events(persistenceId, (snapshot?.JournalSequenceNr ?? 0) + 1, cancellationToken))
            audit.Feed(stored);
        return audit;
    }

    /// <summary>Audits the mirror's device registry; null when the journal holds none.</summary>
    public async Task<RegistryAudit?> AuditRegistry(CancellationToken cancellationToken = default)
    {
        if (await journal.HighestSequenceNr(DeviceRegistry.Id, cancellationToken) == 0)
            return null;
        var audit = new RegistryAudit();
        await foreach (var stored in journal.Events(DeviceRegistry.Id, cancellationToken: cancellationToken))
            audit.Feed(stored);
        return audit;
    }

    /// <summary>Audits the mirror's API tokens; null when the journal holds none.</summary>
    public async Task<ApiTokenAudit?> AuditTokens(CancellationToken cancellationToken = default)
    {
        if (await journal.HighestSequenceNr(ApiTokenStore.Id, cancellationToken) == 0)
            return null;
        var audit = new ApiTokenAudit();
        await foreach (var stored in journal.Events(ApiTokenStore.Id, cancellationToken: cancellationToken))
            audit.Feed(stored);
        return audit;
    }

    /// <summary>One device's events in journal order, as stored.</summary>
    public IAsyncEnumerable<StoredEvent> Events(DeviceId device, CancellationToken cancellationToken = default) =>
        journal.Events(role.PersistenceId(device), cancellationToken: cancellationToken);
}
