using Akka.Configuration;
using IoTSync.Configuration;

namespace IoTSync.Mirror;

/// <summary>Settings of the <see cref="LateDeviceWatch"/>.</summary>
/// <param name="LateAfterMissedWindows">A device that missed more windows than this is late.</param>
/// <param name="CheckEvery">How often every enrolled device is looked at; also the bound on each look.</param>
public sealed record LateDeviceWatchSettings(int LateAfterMissedWindows, TimeSpan CheckEvery)
{
    /// <summary>Reads <c>iotsync.mirror.late-after-missed-windows</c> and <c>iotsync.mirror.late-check-every</c>.</summary>
    public static LateDeviceWatchSettings FromConfig(Config root) => new(
        root.RequireInt("iotsync.mirror.late-after-missed-windows", 1, 1000),
        root.RequireDuration("iotsync.mirror.late-check-every", minimum: TimeSpan.FromMilliseconds(100)));
}
