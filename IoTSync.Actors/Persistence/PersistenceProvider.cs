namespace IoTSync.Persistence;

/// <summary>Where a node's journal, snapshots and tags live (<c>iotsync.persistence.provider</c>).</summary>
public enum PersistenceProvider
{
    /// <summary>One SQLite file beside the node (every device node; a single mirror node).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database (the mirror only): what several mirror nodes share.</summary>
    PostgreSql,
}
