namespace IoTSync.Mirror.Ssh;

/// <summary>
/// The server presented a host key other than the pinned one: a device's other than the one enrolled at
/// the mirror, or (reverse mode) the mirror host's other than the one in the device's configuration. The
/// connection was dropped during key exchange: nothing was authenticated or run there.
/// </summary>
public sealed class HostKeyMismatchException(string endpoint, HostKeyFingerprint expected, HostKeyFingerprint received, string receivedAlgorithm, Exception? inner = null)
    : SshTransportException(
        $"host key of {endpoint} is {receivedAlgorithm} {received}, not the pinned {expected}: session aborted before authentication",
        inner)
{
    public HostKeyFingerprint Expected { get; } = expected;

    public HostKeyFingerprint Received { get; } = received;

    public string ReceivedAlgorithm { get; } = receivedAlgorithm;
}
