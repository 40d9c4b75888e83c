namespace IoTSync.Testing.Soak;

/// <summary>Which node a soak request was left at, and so which log must hold it.</summary>
public enum SoakSide
{
    /// <summary>Submitted at the mirror: the mirror log.</summary>
    Mirror,

    /// <summary>Run with the device's <c>exec</c>: the device log.</summary>
    Device,
}
