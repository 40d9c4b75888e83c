namespace IoTSync.Logs;

/// <summary>Which side wrote an entry. Each log has exactly one writer, so this also names the log.</summary>
public enum Origin : byte
{
    Device = 1,
    Mirror = 2,
}
