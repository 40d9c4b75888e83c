namespace IoTSync.Device;

/// <summary>
/// The keys under which the device node's actors are in Akka.Hosting's <c>ActorRegistry</c>: ask for
/// <c>IRequiredActor&lt;DeviceNodeActors.Recorder&gt;</c> to get the CommandRecorder.
/// </summary>
public static class DeviceNodeActors
{
    /// <summary>The CommandRecorder: the device log.</summary>
    public sealed class Recorder
    {
        private Recorder() { }
    }

    /// <summary>The HeartbeatSender: opens each window at the mirror.</summary>
    public sealed class Heartbeat
    {
        private Heartbeat() { }
    }

    /// <summary>The NetworkToggler: the cycle of the interface.</summary>
    public sealed class Cycle
    {
        private Cycle() { }
    }
}
