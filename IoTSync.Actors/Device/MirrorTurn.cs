namespace IoTSync.Device;

/// <summary>
/// One address's turn in a window (<see cref="MirrorRotation"/>): the address's index in the device's list,
/// the turn's number in the window (from 1), when it ends (time into the window), and how many heartbeats
/// it has sent so far.
/// </summary>
public sealed record MirrorTurn(int Address, int Number, TimeSpan Ends, int Sent)
{
    /// <summary>The turn after one more heartbeat went out in it.</summary>
    public MirrorTurn Sending() => this with { Sent = Sent + 1 };
}
