using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Microsoft.Extensions.Hosting;

namespace IoTSync.Device;

/// <summary>
/// The device node's control socket (exec, status, sync-endpoint) as a hosted service: it listens once
/// the recorder and the cycle are in the registry, and stops listening before the actors stop.
/// </summary>
public sealed class DeviceControlSocketService(
    ActorSystem system,
    IRequiredActor<DeviceNodeActors.Recorder> recorder,
    IRequiredActor<DeviceNodeActors.Cycle> cycle,
    DeviceNodeParts parts) : IHostedService
{
    private ControlSocketServer? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = parts.Settings;
        _server = await ControlSocketServer.Start(settings.ControlSocket, settings.Device, await recorder.GetAsync(cancellationToken),
            parts.Exchange, settings.RequestTimeout, Logging.GetLogger(system, "iotsync-device"), await cycle.GetAsync(cancellationToken),
            settings.ControlSocketGroup, parts.Refusals, parts.LastSync, parts.LastMirror);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}
