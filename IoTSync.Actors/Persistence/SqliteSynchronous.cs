namespace IoTSync.Persistence;

/// <summary>
/// SQLite's <c>PRAGMA synchronous</c> levels. The numeric values are the ones
/// <c>PRAGMA synchronous</c> reports when read back, so a test can compare them directly.
/// </summary>
public enum SqliteSynchronous
{
    /// <summary>No fsync at all: an OS crash or power loss can corrupt the database. Never for a journal.</summary>
    Off = 0,

    /// <summary>In WAL mode, fsync only at checkpoints: power loss can drop the last commits.</summary>
    Normal = 1,

    /// <summary>In WAL mode, fsync the WAL on every commit: a commit that returned survives power loss.</summary>
    Full = 2,

    /// <summary>Like <see cref="Full"/>, and also fsync the directory after a rollback journal is deleted.</summary>
    Extra = 3,
}
