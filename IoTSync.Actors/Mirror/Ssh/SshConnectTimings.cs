namespace IoTSync.Mirror.Ssh;

/// <summary>
/// How long the steps of opening a session took, each counted from the start of the TCP connect:
/// the server's version line, the host key checked against the pin (end of key exchange),
/// authentication done, and the remote command accepted.
/// </summary>
public sealed record SshConnectTimings(TimeSpan ServerIdentified, TimeSpan HostKeyVerified, TimeSpan Authenticated, TimeSpan CommandStarted)
{
    /// <summary>TCP connect, key exchange and key authentication: the figure a sync window pays first.</summary>
    public TimeSpan ConnectAndAuthenticate => Authenticated;
}
