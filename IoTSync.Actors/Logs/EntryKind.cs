namespace IoTSync.Logs;

/// <summary>What an entry records. Values are part of the canonical encoding: never renumber.</summary>
public enum EntryKind : byte
{
    /// <summary>An argument vector: a property operation (<c>set</c>/<c>unset</c>) or a device command.</summary>
    Command = 1,

    /// <summary>The outcome of a device command, written by the device.</summary>
    Result = 2,

    /// <summary>The mirror asks the device not to run one of the mirror's commands.</summary>
    Cancel = 3,
}
