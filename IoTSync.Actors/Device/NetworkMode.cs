namespace IoTSync.Device;

/// <summary>
/// How the device node reaches its interface: not at all, with ip(8), with configured commands, or
/// with the nftables window firewall alone (the link stays up; see <see cref="Firewall.FirewalledInterface"/>).
/// </summary>
public enum NetworkMode
{
    None,
    Ip,
    Command,
    Nft,
}
