namespace IoTSync.Protocol;

/// <summary>
/// The device's own account of one closed window, measured on its monotonic clock from interface
/// up to interface down: its number (counted from 1 since the device node started), how long it
/// was, when the interface became usable, and how it ended ("nothing to sync", "synced", ...).
/// </summary>
public sealed record WindowReport(int Number, long DurationMs, long UsableAfterMs, string Outcome)
{
    public override string ToString() => $"window {Number}: {DurationMs} ms (usable after {UsableAfterMs} ms), {Outcome}";
}
