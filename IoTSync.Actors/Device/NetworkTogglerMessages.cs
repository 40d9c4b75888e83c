namespace IoTSync.Device;

/// <summary>What the <see cref="NetworkToggler"/> is told, and what it reports.</summary>
public static class NetworkTogglerMessages
{
    /// <summary>The mirror's sync session on this device ended (from the control socket): the window can close.</summary>
    public sealed record SessionEnded
    {
        public static SessionEnded Instance { get; } = new();
    }

    /// <summary>
    /// One window, measured on the device's monotonic clock from interface up to interface down.
    /// <see cref="Outcome"/> says how it ended: nothing to sync, synced, mirror unreachable, window limit, ...
    /// </summary>
    public sealed record WindowClosed(int Number, TimeSpan Duration, TimeSpan UsableAfter, string Outcome);

    /// <summary>Ask for the windows closed so far (answered with an array of <see cref="WindowClosed"/>).</summary>
    public sealed record GetWindows
    {
        public static GetWindows Instance { get; } = new();
    }
}
