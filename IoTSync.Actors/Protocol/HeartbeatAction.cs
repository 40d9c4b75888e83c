namespace IoTSync.Protocol;

/// <summary>What the mirror asks of the device after a heartbeat.</summary>
public enum HeartbeatAction
{
    /// <summary>Both sides hold both logs: the window ends at once.</summary>
    None = 1,

    /// <summary>The mirror opens an exchange session now.</summary>
    Sync = 2,

    /// <summary>The mirror will not sync this device (diverged, unknown, or refused); the window ends.</summary>
    Refused = 3,
}
