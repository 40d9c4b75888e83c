using Akka.Configuration;
using IoTSync.Configuration;

namespace IoTSync.Mirror;

/// <summary>Settings of the <see cref="HealthWatch"/>.</summary>
/// <param name="LateAfterMissedWindows">A device that missed more windows than this is late.</param>
/// <param name="CheckEvery">How often every enrolled device is looked at; also the bound on each look.</param>
/// <param name="WindowLimit">The devices' window limit, so a device whose window has closed is judged <c>dark</c> as listings show it; null judges no device dark.</param>
public sealed record HealthWatchSettings(int LateAfterMissedWindows, TimeSpan CheckEvery, TimeSpan? WindowLimit = null)
{
    /// <summary>Reads <c>iotsync.mirror.late-after-missed-windows</c>, <c>iotsync.mirror.late-check-every</c> and <c>iotsync.mirror.window-limit</c>.</summary>
    public static HealthWatchSettings FromConfig(Config root) => new(
        root.RequireInt("iotsync.mirror.late-after-missed-windows", 1, 1000),
        root.RequireDuration("iotsync.mirror.late-check-every", minimum: TimeSpan.FromMilliseconds(100)),
        root.RequireDuration("iotsync.mirror.window-limit"));
}
