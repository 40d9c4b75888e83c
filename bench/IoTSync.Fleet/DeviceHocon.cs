using System.Collections.Immutable;
using Akka.Configuration;
using IoTSync.Configuration;
using IoTSync.Sync;

namespace IoTSync.Fleet;

/// <summary>
/// The shipped device HOCON (copied beside the simulator) over shared.hocon: the edge's Akka settings, the
/// heartbeat sender's back-off, the exchange's limits and the reverse dial's algorithms, as a real device has them.
/// </summary>
public sealed record DeviceHocon(Config Config)
{
    public static DeviceHocon Load() => new(IoTSyncSystem.LoadNodeConfig(Path.Combine(AppContext.BaseDirectory, "hocon", "device.hocon")));

    public ExchangeSettings Exchange => ExchangeSettings.FromConfig(Config);

    public TimeSpan InitialBackoff => Config.RequireDuration("iotsync.device.heartbeat.initial-backoff");

    public TimeSpan GiveUpAfter => Config.RequireDuration("iotsync.device.heartbeat.give-up-after");

    public ImmutableArray<string> KeyExchange => Config.StringList("iotsync.device.reverse.key-exchange");

    public string RemoteCommand => Config.RequireString("iotsync.device.reverse.remote-command");
}
