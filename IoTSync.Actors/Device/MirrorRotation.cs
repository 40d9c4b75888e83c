namespace IoTSync.Device;

/// <summary>
/// Which of the device's <see cref="Count"/> mirror addresses the <see cref="HeartbeatSender"/> calls
/// within one window, and when it moves on. The window starts at the address that answered last (sticky:
/// a healthy fleet costs nothing extra); the window's give-up bound is shared out over the addresses not
/// yet tried, so each gets an equal turn and the window as a whole gives up when it does with one
/// address; within a turn the <see cref="HeartbeatBackoff"/> doubles its wait from the first again, never
/// past the turn's end. When a turn ends unanswered the next address takes over, wrapping round; only
/// when the last turn ends is the mirror unreachable. Pure: the actor hands in the time elapsed in the window.
/// </summary>
/// <param name="Count">How many addresses the device lists, one or more.</param>
/// <param name="Backoff">The first wait, and the window's give-up bound that the turns share.</param>
public sealed record MirrorRotation(int Count, HeartbeatBackoff Backoff)
{
    public bool GivenUp(TimeSpan elapsed) => Backoff.GivenUp(elapsed);

    /// <summary>The window's first turn: address <paramref name="answeredLast"/> (the one that answered last; 0 when none has), with an equal share of the bound.</summary>
    public MirrorTurn Start(int answeredLast) => new(Wrap(answeredLast), 1, ShareFrom(TimeSpan.Zero, Count), 0);

    /// <summary>
    /// The turn after the wait for <paramref name="turn"/>'s last heartbeat ran out at <paramref name="elapsed"/>:
    /// the same one while it lasts (and the last turn lasts to the bound), the next address's once it has
    /// ended, or null when the window's bound is reached.
    /// </summary>
    public MirrorTurn? AfterWait(MirrorTurn turn, TimeSpan elapsed)
    {
        if (GivenUp(elapsed))
            return null;
        if (elapsed < turn.Ends || turn.Number >= Count)
            return turn;
        return new MirrorTurn(Wrap(turn.Address + 1), turn.Number + 1, ShareFrom(elapsed, Count - turn.Number), 0);
    }

    /// <summary>How long to wait for an answer to the heartbeat just sent in <paramref name="turn"/> (its <see cref="MirrorTurn.Sent"/>th), <paramref name="elapsed"/> into the window.</summary>
    public TimeSpan DelayAfter(MirrorTurn turn, TimeSpan elapsed) =>
        (Backoff with { GiveUpAfter = turn.Ends }).DelayAfter(Math.Max(turn.Sent, 1), elapsed);

    /// <summary>
    /// An address answered but asked for another heartbeat (the mirror's clock-skew refusal): it is
    /// alive, so the window stays with it for the rest of <paramref name="turn"/>.
    /// </summary>
    public MirrorTurn StayWith(MirrorTurn turn, int address) => turn with { Address = Wrap(address) };

    private int Wrap(int address) => (address % Count + Count) % Count;

    // The time left to the bound, split equally over the turns left (this one included); the last turn
    // ends at the bound itself.
    private TimeSpan ShareFrom(TimeSpan elapsed, int turnsLeft)
    {
        var left = Backoff.GiveUpAfter - elapsed;
        return turnsLeft <= 1 || left <= TimeSpan.Zero ? Backoff.GiveUpAfter : elapsed + TimeSpan.FromTicks(left.Ticks / turnsLeft);
    }
}
