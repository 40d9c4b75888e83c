namespace IoTSync.Device.Firewall;

/// <summary>
/// An interface behind the window firewall: the firewall opens for the mirror before the link goes
/// up, and closes after it went down. The first <see cref="Down"/> (the node's resting state at
/// start) loads the table first, so nothing passes before the node has done anything else. Mode
/// <c>nft</c> is this over an interface that stays up; under <c>ip</c> and <c>command</c> it is the
/// backstop: should the node die or freeze with the link up, the kernel still closes the window at the limit.
/// </summary>
public sealed class FirewalledInterface(INetworkInterface inner, WindowFirewall firewall) : INetworkInterface
{
    private int _loaded;

    public WindowFirewall Firewall => firewall;

    public async Task Up(CancellationToken cancellationToken)
    {
        await EnsureLoaded(cancellationToken);
        await firewall.Open(cancellationToken);
        await inner.Up(cancellationToken);
    }

    public async Task Down(CancellationToken cancellationToken)
    {
        await EnsureLoaded(cancellationToken);
        try
        {
            await inner.Down(cancellationToken);
        }
        finally
        {
            // Closed even when the link could not be taken down: the firewall is the backstop.
            await firewall.Close(cancellationToken);
        }
    }

    public Task<bool> IsUsable(CancellationToken cancellationToken) => inner.IsUsable(cancellationToken);

    private async Task EnsureLoaded(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _loaded) != 0)
            return;
        await firewall.Load(cancellationToken);
        Volatile.Write(ref _loaded, 1);
    }
}
