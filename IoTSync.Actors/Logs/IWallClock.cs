namespace IoTSync.Logs;

/// <summary>Source of wall-clock time, injected so that tests and replays are deterministic.</summary>
public interface IWallClock
{
    long UtcNowMs { get; }
}
