namespace IoTSync.Device.Firewall;

/// <summary>Runs nftables commands (the text <c>nft -f</c> reads) as one transaction; throws <see cref="NftablesException"/> when nftables refuses them.</summary>
public interface INftables
{
    Task Run(string commands, CancellationToken cancellationToken);
}
