namespace IoTSync.Tests.Security;

/// <summary>
/// <see cref="Canary"/>'s twin for the device's specs: a count of its own, so the mirror's negative control,
/// which does build canaries and may run at the same time, cannot move it.
/// </summary>
public sealed class DeviceCanary
{
    private static int _constructed;

    public DeviceCanary() => Interlocked.Increment(ref _constructed);

    public static int Constructed => Volatile.Read(ref _constructed);

    public string Note { get; set; } = "built by a peer's frame";
}
