using Akka.Actor;
using Akka.Event;
using Microsoft.Extensions.Hosting;

namespace IoTSync.Device;

/// <summary>
/// The resting state at stop: a stopping device node takes its interface down before its actors stop,
/// and leaves it dark. (At start the host's caller takes it down, before the host exists.)
/// </summary>
public sealed class RestingInterfaceService(ActorSystem system, DeviceNodeParts parts) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Logging.GetLogger(system, "iotsync-device").Info("[{0}] stopping", parts.Settings.Device);
        await parts.Interface.Down(CancellationToken.None);
    }
}
