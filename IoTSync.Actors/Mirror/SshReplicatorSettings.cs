using IoTSync.Sync;

namespace IoTSync.Mirror;

/// <summary>Settings of the <see cref="SshReplicator"/>.</summary>
public sealed record SshReplicatorSettings(int MaxConcurrentSessions, TimeSpan SessionTimeout, TimeSpan JournalTimeout, ExchangeSettings Exchange);
