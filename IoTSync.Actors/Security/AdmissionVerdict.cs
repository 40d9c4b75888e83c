namespace IoTSync.Security;

/// <summary>What <see cref="IDeviceAdmission"/> says of a device.</summary>
public enum AdmissionVerdict
{
    Admitted,
    NotEnrolled,
    Disabled,
}
