namespace IoTSync.Mirror;

/// <summary>Whether the mirror admits anything from a device: not enrolled, enrolled and enabled, or disabled.</summary>
public enum DeviceStanding
{
    NotEnrolled,
    Enabled,
    Disabled,
}
