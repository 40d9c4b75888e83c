namespace IoTSync.Logs;

/// <summary>How a device command ended. Values are part of the canonical encoding: never renumber.</summary>
public enum CommandOutcome : byte
{
    /// <summary>Ran and exited 0.</summary>
    Executed = 1,

    /// <summary>Ran and exited non-zero, timed out, could not start, or was interrupted by a restart.</summary>
    Failed = 2,

    /// <summary>The device's policy would not run it.</summary>
    Refused = 3,

    /// <summary>Reached the device after its not-after time; not run.</summary>
    Expired = 4,

    /// <summary>The mirror cancelled it before it ran; not run.</summary>
    Cancelled = 5,
}
