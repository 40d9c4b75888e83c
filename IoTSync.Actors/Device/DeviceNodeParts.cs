using Akka.Configuration;
using IoTSync.Logs;
using IoTSync.Security;
using IoTSync.Sync;

namespace IoTSync.Device;

/// <summary>
/// What the device node's actors and its control socket are made of: its settings, and what is built
/// from them before the host starts (the interface, already down, and the heartbeat key, already read).
/// </summary>
public sealed record DeviceNodeParts(
    DeviceNodeSettings Settings,
    CommandRecorderSettings Recorder,
    ExchangeSettings Exchange,
    ICommandRunner Runner,
    INetworkInterface Interface,
    byte[] HeartbeatKey,
    IWallClock Wall,
    EdgeTls? Tls)
{
    /// <summary>The node's refusal counters: the edge, the command runner and the control socket count into the same one.</summary>
    public Refusals Refusals { get; init; } = new();

    /// <summary>When the last sync session ended, by the control socket or the device's own dial (reverse mode).</summary>
    public LastSyncSession LastSync { get; } = new();

    /// <summary>Which mirror answered the last answered heartbeat: the first the next window calls, and what status shows.</summary>
    public LastAnsweringMirror LastMirror { get; } = new();

    /// <summary>Reverse mode's dial to the mirror host; null in direct mode (the mirror dials the device).</summary>
    public ReverseDialSettings? Reverse { get; init; }

    /// <summary>The device's clock corrected by the mirror's offset: the recorder's and the cycle's time.</summary>
    public MirrorCorrectedClock Clock { get; } = new(Wall);

    /// <summary>
    /// The parts from the node's configuration, with commands run by a <see cref="ProcessCommandRunner"/> under
    /// its policy (through the runner and its spool when one is configured); with TLS on, the device's certificate and the fleet CA, which alone may vouch for the mirror.
    /// </summary>
    public static DeviceNodeParts FromConfig(Config config, DeviceNodeSettings settings, INetworkInterface networkInterface, byte[] heartbeatKey)
    {
        var refusals = new Refusals();
        var reverse = ReverseDialSettings.FromConfig(config);
        return new(settings,
            CommandRecorderSettings.FromConfig(config),
            ExchangeSettings.FromConfig(config),
            new ProcessCommandRunner(CommandPolicy.FromConfig(config), refusals, CommandSpool.FromConfig(config)),
            networkInterface,
            heartbeatKey,
            SystemWallClock.Instance,
            TlsSettings.FromConfig(config).Load(ca => FleetTlsValidator.AtDevice(ca, refusals))) { Refusals = refusals, Reverse = reverse };
    }
}
