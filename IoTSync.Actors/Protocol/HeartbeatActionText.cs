namespace IoTSync.Protocol;

/// <summary>A <see cref="HeartbeatAction"/> as the nodes' logs say it, in words rather than the enum's names.</summary>
public static class HeartbeatActionText
{
    public static string InWords(this HeartbeatAction action) => action switch
    {
        HeartbeatAction.Sync => "sync",
        HeartbeatAction.None => "in sync, nothing to exchange",
        HeartbeatAction.Refused => "refused",
        _ => action.ToString().ToLowerInvariant(),
    };
}
