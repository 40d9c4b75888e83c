using Akka.Actor;
using Akka.Hosting;
using IoTSync.Mirror;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.MirrorApi.Server;

/// <summary>
/// Whether the node serves (<c>/readyz</c>): its actors are registered (the journals come last, once the
/// registry has recovered) and the registry answers within a couple of seconds.
/// </summary>
public sealed class Readiness(ActorRegistry actors, MirrorNodeParts parts)
{
    private static readonly TimeSpan MostWait = TimeSpan.FromSeconds(2);

    public async Task<bool> Ready(CancellationToken cancel)
    {
        if (!actors.TryGet<MirrorNodeActors.Journals>(out _) || !actors.TryGet<MirrorNodeActors.Registry>(out var registry))
            return false;
        try
        {
            await registry.Ask<DeviceCount>(CountDevices.Instance, parts.Settings.RequestTimeout < MostWait ? parts.Settings.RequestTimeout : MostWait, cancel);
            return true;
        }
        catch (AskTimeoutException)
        {
            return false;
        }
    }
}
