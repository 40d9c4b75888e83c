namespace IoTSync.Device;

/// <summary>How the device node reaches its interface: not at all, with ip(8), or with configured commands.</summary>
public enum NetworkMode
{
    None,
    Ip,
    Command,
}
