using Akka.Actor;
using IoTSync.Logs;

namespace IoTSync.Fleet;

/// <summary>
/// Stands where a real device's CommandRecorder is for its HeartbeatSender: answers <see cref="LogHolderMessages.GetView"/>
/// with the simulated device's view, so the production sender signs and sends the heartbeat.
/// </summary>
public sealed class DeviceViewActor : ReceiveActor
{
    public DeviceViewActor(SimulatedDevice device) =>
        Receive<LogHolderMessages.GetView>(_ => Sender.Tell(device.View));

    public static Props Props(SimulatedDevice device) => Akka.Actor.Props.Create(() => new DeviceViewActor(device));
}
