namespace IoTSync.Mirror;

/// <summary>A device's liveness now: the status, how long since its last heartbeat, how many windows it missed.</summary>
public sealed record LivenessVerdict(LivenessStatus Status, long SilentForMs, long MissedWindows)
{
    /// <summary><c>ok</c>, <c>dark</c>, <c>late</c>, <c>failing</c>, <c>never-seen</c>, <c>diverged</c>, <c>corrupt</c> or <c>mismatch</c>, as listings show it.</summary>
    public string Label => Status switch
    {
        LivenessStatus.Ok => "ok",
        LivenessStatus.Dark => "dark",
        LivenessStatus.Late => "late",
        LivenessStatus.Failing => "failing",
        LivenessStatus.NeverSeen => "never-seen",
        LivenessStatus.Corrupt => "corrupt",
        LivenessStatus.Mismatch => "mismatch",
        _ => "diverged",
    };
}
