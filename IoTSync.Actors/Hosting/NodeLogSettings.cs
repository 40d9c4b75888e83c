using Akka.Configuration;

namespace IoTSync.Hosting;

/// <summary>How a running node writes its log lines (<c>iotsync.logging</c> in shared.hocon).</summary>
/// <param name="Json">One JSON object per line instead of Akka's text line.</param>
/// <param name="DeviceId">The device node's own id, a field of every JSON line; null on the mirror, where a line's device is the one it names first (<c>[id] …</c>).</param>
public sealed record NodeLogSettings(bool Json, string? DeviceId)
{
    public static NodeLogSettings Text { get; } = new(false, null);

    public static NodeLogSettings FromConfig(Config config, string? deviceId = null)
    {
        var format = config.GetString("iotsync.logging.format", "text");
        return format switch
        {
            "text" => new NodeLogSettings(false, deviceId),
            "json" => new NodeLogSettings(true, deviceId),
            _ => throw new ConfigurationException($"iotsync.logging.format: '{format}' is not text or json"),
        };
    }
}
