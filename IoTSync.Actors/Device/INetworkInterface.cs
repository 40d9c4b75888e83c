namespace IoTSync.Device;

/// <summary>The device's network interface as the cycle drives it.</summary>
public interface INetworkInterface
{
    Task Up(CancellationToken cancellationToken);

    Task Down(CancellationToken cancellationToken);

    /// <summary>The interface can carry the heartbeat now (for <c>ip</c>: link up, an address and a route).</summary>
    Task<bool> IsUsable(CancellationToken cancellationToken);
}
