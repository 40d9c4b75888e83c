namespace IoTSync.Mirror.Ssh;

/// <summary>
/// The device presented a host key other than the enrolled one. The connection was dropped during
/// key exchange: the mirror neither authenticated nor ran anything there.
/// </summary>
public sealed class HostKeyMismatchException(string endpoint, HostKeyFingerprint expected, HostKeyFingerprint received, string receivedAlgorithm, Exception? inner = null)
    : SshTransportException(
        $"host key of {endpoint} is {receivedAlgorithm} {received}, not the enrolled {expected}: session aborted before authentication",
        inner)
{
    public HostKeyFingerprint Expected { get; } = expected;

    public HostKeyFingerprint Received { get; } = received;

    public string ReceivedAlgorithm { get; } = receivedAlgorithm;
}
