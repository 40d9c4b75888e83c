using IoTSync.Logs;
using IoTSync.Mirror;

namespace IoTSync.Protocol;

/// <summary>What the mirror answers an authenticated heartbeat, from what its StateJournal holds.</summary>
public static class HeartbeatDecision
{
    /// <summary>
    /// <see cref="HeartbeatAction.None"/> only when both sides already hold both logs. A heartbeat
    /// never marks a device diverged by itself: a contradiction is left to the SSH hello, which
    /// runs behind the pinned host key, so the answer is a sync that will find it.
    /// </summary>
    public static (HeartbeatAction Action, string Reason) Decide(Heartbeat heartbeat, StateJournalState held)
    {
        if (held.CorruptReason is { } corrupt)
            return (HeartbeatAction.Refused, corrupt);
        if (held.Divergence is { } divergence)
            return (HeartbeatAction.Refused, divergence.Describe());
        var inStep = heartbeat.DeviceLog == held.Logs.DeviceLog && heartbeat.MirrorLogSeen == held.Logs.MirrorLog;
        return inStep ? (HeartbeatAction.None, "") : (HeartbeatAction.Sync, "");
    }
}
