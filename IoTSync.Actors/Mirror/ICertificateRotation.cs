using IoTSync.Model;

namespace IoTSync.Mirror;

/// <summary>
/// The hook <c>device rotate</c> calls for the device's TLS certificate, after the registry has
/// rotated the heartbeat key. The transport (fleet CA) provides it; until then <see cref="None"/>.
/// </summary>
public interface ICertificateRotation
{
    /// <summary>Re-issues or schedules the device's certificate; the answer is shown to the operator.</summary>
    Task<string> Rotate(DeviceId device, long rotatedAtUnixMs, CancellationToken cancellationToken);

    /// <summary>No certificates to rotate (Akka.Remote without TLS).</summary>
    public static ICertificateRotation None { get; } = new NoCertificates();

    private sealed class NoCertificates : ICertificateRotation
    {
        public Task<string> Rotate(DeviceId device, long rotatedAtUnixMs, CancellationToken cancellationToken) => Task.FromResult("");
    }
}
