namespace IoTSync.Logs;

/// <summary>Snapshot and read-back settings shared by the actors that hold a device's two logs.</summary>
public sealed record LogHolderSettings(int SnapshotEvery, string ReadJournalPluginId)
{
    public static LogHolderSettings Default { get; } = new(1000, "akka.persistence.query.journal.sql");
}
