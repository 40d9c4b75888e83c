using IoTSync.Model;
using IoTSync.Serialization;

namespace IoTSync.Protocol;

/// <summary>
/// Mirror to device, over the heartbeat association: the mirror gave up the session it announced
/// in this window's ack (it could not open it, it failed, or another session of the device still
/// runs), so the device closes the window at once instead of holding it open until the limit.
/// Signed with the device's heartbeat key over every field, like the ack, and bound to the
/// announced session id: a stale or forged one closes nothing.
/// </summary>
public sealed record SessionAbandoned(DeviceId Device, string SessionId, string Reason, string Mac) : IIoTSyncMessage
{
    /// <summary>The longest reason sent: the device records it in the window's outcome.</summary>
    public const int MaxReasonLength = 160;
}
