using IoTSync.Logs;

namespace IoTSync.Device;

/// <summary>
/// The device's clock corrected by the offset the last heartbeat ack gave (mirror time minus
/// device time): a dark device may have no time service, and a command's not-after is the
/// mirror's time. Read from any thread; set by the <see cref="NetworkToggler"/> when the mirror answers.
/// </summary>
public sealed class MirrorCorrectedClock(IWallClock device) : IWallClock
{
    private long _offsetMs;

    public long OffsetMs
    {
        get => Interlocked.Read(ref _offsetMs);
        set => Interlocked.Exchange(ref _offsetMs, value);
    }

    public long UtcNowMs => device.UtcNowMs + OffsetMs;
}
