namespace IoTSync.Inspection;

/// <summary>What became of the comparison of the latest snapshot with the replay.</summary>
public enum SnapshotCheck
{
    /// <summary>The actor has no snapshot.</summary>
    None,

    /// <summary>Replaying the events up to the snapshot gives exactly the snapshot's state.</summary>
    Matches,

    /// <summary>It does not (or the snapshot does not decode, or lies past the journal's end): a finding says why.</summary>
    Differs,

    /// <summary>The journal is broken before the snapshot, so the replay never reached it.</summary>
    NotReached,
}
