namespace IoTSync.Mirror;

/// <summary>Opens the transport to a device (SSH in production; in-memory in tests).</summary>
public interface IDeviceSessionOpener
{
    Task<IDeviceSession> Open(DeviceListing device, CancellationToken cancellationToken);
}
