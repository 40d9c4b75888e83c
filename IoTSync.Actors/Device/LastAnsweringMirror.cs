namespace IoTSync.Device;

/// <summary>
/// Which of the device's mirror addresses answered its last answered heartbeat, and when: the address the
/// next window calls first (<see cref="MirrorRotation"/>), and what <c>status</c> shows. It outlives the
/// <see cref="HeartbeatSender"/>, whose edge is replaced after a window that left heartbeats unanswered, as
/// a window that moved past a dead address does. The sender writes it, the control socket reads it.
/// </summary>
public sealed class LastAnsweringMirror
{
    private readonly Lock _lock = new();
    private int _index;
    private string? _address;
    private long _answeredUnixMs;

    /// <summary>The answering address's index in the device's list; 0 (the first) before any answer.</summary>
    public int Index
    {
        get
        {
            lock (_lock)
                return _index;
        }
    }

    /// <summary>The address (HOST:PORT) that answered last and when (Unix ms); null before any answer.</summary>
    public (string Address, long AnsweredUnixMs)? Last
    {
        get
        {
            lock (_lock)
                return _address is null ? null : (_address, _answeredUnixMs);
        }
    }

    public void Answered(int index, string address, long unixMs)
    {
        lock (_lock)
            (_index, _address, _answeredUnixMs) = (index, address, unixMs);
    }
}
