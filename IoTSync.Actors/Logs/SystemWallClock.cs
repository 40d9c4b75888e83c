namespace IoTSync.Logs;

/// <summary>The machine's clock.</summary>
public sealed class SystemWallClock : IWallClock
{
    public static SystemWallClock Instance { get; } = new();
    public long UtcNowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
