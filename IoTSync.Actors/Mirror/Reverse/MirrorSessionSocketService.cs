using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Microsoft.Extensions.Hosting;

namespace IoTSync.Mirror.Reverse;

/// <summary>
/// The mirror's session socket as a hosted service: it listens once the replicator is in the registry
/// (an arrival meets only sessions the replicator wants), and stops listening before the actors stop.
/// Nothing runs when the node's parts have no reverse settings (specs of the node without it).
/// </summary>
public sealed class MirrorSessionSocketService(ActorSystem system, IRequiredActor<MirrorNodeActors.Replicator> replicator, MirrorNodeParts parts) : IHostedService
{
    private MirrorSessionSocket? _socket;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (parts.Reverse is not { } reverse)
            return;
        await replicator.GetAsync(cancellationToken);
        _socket = await MirrorSessionSocket.Start(reverse.SessionSocket, reverse.SessionSocketGroup, parts.Devices, parts.Rendezvous, reverse.ArrivalHold,
            Logging.GetLogger(system, "iotsync-mirror"), parts.Refusals);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_socket is not null)
            await _socket.DisposeAsync();
    }
}
