using IoTSync.Model;

namespace IoTSync.Mirror.Reverse;

/// <summary>The replicator's opener: the registry's mode for the device chooses SSH to the device (direct) or waiting for its session (reverse).</summary>
public sealed class SessionOpenerByMode(IDeviceSessionOpener direct, IDeviceSessionOpener reverse) : IDeviceSessionOpener
{
    public Task<IDeviceSession> Open(DeviceListing device, CancellationToken cancellationToken) =>
        device.Mode == SessionMode.Reverse ? reverse.Open(device, cancellationToken) : direct.Open(device, cancellationToken);
}
