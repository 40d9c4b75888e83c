namespace IoTSync.Logs;

/// <summary>Snapshot, read-back and entry-size settings shared by the actors that hold a device's two logs.</summary>
/// <param name="SnapshotEvery">Events between snapshots.</param>
/// <param name="ReadJournalPluginId">The read journal the holder reads its log ranges back through.</param>
/// <param name="MaxEntryBytes">The bound on one entry's encoding this holder's writes keep (<see cref="EntrySize"/>).</param>
public sealed record LogHolderSettings(int SnapshotEvery, string ReadJournalPluginId, int MaxEntryBytes = EntrySize.DefaultMaxBytes)
{
    /// <summary>The back-off of the <see cref="JournalSupervisor"/> above the holder.</summary>
    public JournalRestartSettings Restart { get; init; } = JournalRestartSettings.Default;

    public static LogHolderSettings Default { get; } = new(1000, "akka.persistence.query.journal.sql");
}
