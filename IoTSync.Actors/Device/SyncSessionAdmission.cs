namespace IoTSync.Device;

/// <summary>
/// Whether the device node accepts a sync session (what <c>sync-endpoint</c> and the relay ask for)
/// in the cycle's current phase: only inside a window. Outside one the interface is down and the
/// mirror has not been called, so a session can only come from someone else on the device.
/// </summary>
public static class SyncSessionAdmission
{
    /// <summary>The phase the <see cref="NetworkToggler"/> reports between windows.</summary>
    public const string Dark = "dark";

    /// <summary>Why a session is refused in <paramref name="phase"/>, or null when it is admitted (opening, calling, syncing).</summary>
    public static string? Refusal(string phase) =>
        phase == Dark ? "no window is open (the device is dark): a sync session is accepted only inside a window" : null;
}
