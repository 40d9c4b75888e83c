namespace IoTSync.Mirror;

/// <summary>What the mirror's control socket needs to know beyond its actors.</summary>
/// <param name="OutwardAddress">The mirror's address as devices see it: the from= of the authorized_keys line.</param>
/// <param name="DeviceCommand">The sync endpoint command forced on the device.</param>
/// <param name="CommandExpiresAfter">Default not-after for a command left without --expires-in.</param>
/// <param name="Timeout">How long a request waits for the actors.</param>
public sealed record MirrorControlSettings(string OutwardAddress, string DeviceCommand, TimeSpan CommandExpiresAfter, TimeSpan Timeout);
