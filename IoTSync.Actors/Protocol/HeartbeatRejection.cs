namespace IoTSync.Protocol;

/// <summary>Why a heartbeat was not accepted.</summary>
public enum HeartbeatRejection
{
    None,
    BadMac,
    OutsideTimeWindow,
    Replayed,
    MalformedNonce,
}
