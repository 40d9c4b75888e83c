namespace IoTSync.Device;

/// <summary>
/// Settings of the <see cref="HeartbeatSender"/>: the heartbeat listeners of the mirror nodes it may call, as
/// Akka.Remote paths in the order the device lists them (one or more; <see cref="MirrorRotation"/> moves
/// from one to the next), the heartbeat key, the first retry's wait and the window's give-up bound.
/// </summary>
public sealed record HeartbeatSenderSettings(IReadOnlyList<string> MirrorListenerPaths, byte[] Key, TimeSpan InitialBackoff, TimeSpan GiveUpAfter)
{
    /// <summary>One mirror's listener.</summary>
    public HeartbeatSenderSettings(string mirrorListenerPath, byte[] key, TimeSpan initialBackoff, TimeSpan giveUpAfter)
        : this([mirrorListenerPath], key, initialBackoff, giveUpAfter)
    {
    }
}
