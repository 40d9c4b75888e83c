using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Sync;

namespace IoTSync.Mirror;

/// <summary>What the <see cref="SshReplicator"/> is asked for and what it tells others.</summary>
public static class SshReplicatorMessages
{
    /// <summary>From the <see cref="HeartbeatListener"/>: the device is in its window and asked for a session.</summary>
    public sealed record SyncRequested(DeviceId Device, string SessionId, Heartbeat Heartbeat);

    /// <summary>
    /// To the asker of a <see cref="SyncRequested"/> (the listener): the session it asked for will not
    /// reach the device, or broke — not opened, failed, or refused because the device's previous
    /// session still runs or the pool is full — so the listener can tell the device to close its window.
    /// </summary>
    public sealed record SessionGaveUp(DeviceId Device, string SessionId, string Reason);

    /// <summary>Sent to whoever asked for notifications (tests, the window history) when a session ends.</summary>
    public sealed record SessionFinished(DeviceId Device, string SessionId, ExchangeReport? Report, string? Error, TimeSpan Duration)
    {
        /// <summary>When the transport was open (the rest of <see cref="Duration"/> is the exchange and the close).</summary>
        public TimeSpan OpenedAfter { get; init; }

        /// <summary>How the transport opened (<see cref="IDeviceSession.Opening"/>).</summary>
        public string Opening { get; init; } = "";
    }
}
