using IoTSync.Logs;
using IoTSync.Security;

namespace IoTSync.Mirror;

/// <summary>
/// What the mirror's edge (the HeartbeatListener) is made of, besides the core's actors it hands heartbeats
/// to; <see cref="Tls"/> null runs Akka.Remote in plaintext (development only).
/// </summary>
public sealed record MirrorEdgeParts(IDeviceKeys Keys, IDeviceAdmission Admission, HeartbeatListenerSettings Listener, IWallClock Wall, EdgeTls? Tls)
{
    /// <summary>The node's refusal counters (the listener's refusals and what the edge drops).</summary>
    public Refusals Refusals { get; init; } = new();
}
