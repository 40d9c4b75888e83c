namespace IoTSync.Logs;

/// <summary>What a receiver may do with a batch, or why it must refuse it.</summary>
public enum Verdict
{
    /// <summary>The batch (less any prefix already held) continues the replica exactly.</summary>
    Appendable,

    /// <summary>Every entry is already held: a replay, not an error; nothing to apply.</summary>
    AlreadyHeld,

    /// <summary>The batch starts after the replica's end, or skips a sequence number inside.</summary>
    Gap,

    /// <summary>The batch holds another entry at a sequence number the replica already holds.</summary>
    Fork,

    /// <summary>An entry's hash is not the hash of its canonical encoding (or it belongs to another log).</summary>
    BadHash,

    /// <summary>An entry's previous-hash is not the hash of the entry before it.</summary>
    BadLink,

    /// <summary>The other side reports a shorter log than the replica already holds.</summary>
    LogShrank,

    /// <summary>An entry is of a shape no writer may produce (wrong origin, missing fields).</summary>
    Malformed,
}
