namespace IoTSync.Device;

/// <summary>Mode <c>none</c>: the interface stays as it is (development and the demo).</summary>
public sealed class AlwaysUpInterface : INetworkInterface
{
    public Task Up(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task Down(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> IsUsable(CancellationToken cancellationToken) => Task.FromResult(true);
}
