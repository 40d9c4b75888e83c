namespace IoTSync.Inspection;

/// <summary>What <c>journal verify</c> is asked to check.</summary>
/// <param name="Role">The node whose tool runs (which actors a database holds).</param>
/// <param name="DatabasePath">This node's database; unused with <paramref name="ExportFile"/>.</param>
/// <param name="Device">One device, or null for every device (or the one a comparison implies).</param>
/// <param name="ExportFile">Verify this export instead of a database.</param>
/// <param name="Against">The other side's copy (its database or an export) to compare with.</param>
/// <param name="Store">This node's journal as its configuration names it (a mirror's PostgreSQL database); when given, read instead of <paramref name="DatabasePath"/>.</param>
public sealed record VerifyRequest(NodeRole Role, string? DatabasePath, string? Device, string? ExportFile, string? Against,
    Persistence.IoTSyncPersistenceSettings? Store = null);
