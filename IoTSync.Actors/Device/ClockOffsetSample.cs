namespace IoTSync.Device;

/// <summary>
/// One heartbeat's round trip, in device wall time, and the mirror's time in its ack. The offset
/// (mirror time minus device time) assumes the ack was stamped half way through the round trip.
/// </summary>
public readonly record struct ClockOffsetSample(long SentAtUnixMs, long AnsweredAtUnixMs, long MirrorTimeUnixMs)
{
    public long RoundTripMs => AnsweredAtUnixMs - SentAtUnixMs;

    public long OffsetMs => MirrorTimeUnixMs - (SentAtUnixMs + RoundTripMs / 2);
}
