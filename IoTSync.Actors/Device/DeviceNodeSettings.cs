using System.Collections.Immutable;
using Akka.Configuration;
using IoTSync.Configuration;
using IoTSync.Model;

namespace IoTSync.Device;

/// <summary>Everything <c>iotsync-device run</c> reads from <c>device.hocon</c> besides persistence and the command policy.</summary>
public sealed record DeviceNodeSettings(
    DeviceId Device,
    string ControlSocket,
    string HeartbeatKeyFile,
    string MirrorSystemName,
    string MirrorAddress,
    NetworkMode Mode,
    string Interface,
    ImmutableArray<string> UpCommand,
    ImmutableArray<string> DownCommand,
    ImmutableArray<string> ProbeCommand,
    NetworkTogglerSettings Cycle,
    TimeSpan InitialBackoff,
    TimeSpan GiveUpAfter,
    TimeSpan RequestTimeout,
    string MirrorScheme = "akka.tcp",
    TimeSpan? EdgeRestartAfter = null)
{
    /// <summary>The Akka system name: the device id in it, so two devices never share an address.</summary>
    public string SystemName => $"iotsync-device-{Device.Value}";

    /// <summary>The mirror's heartbeat listener as an Akka.Remote path.</summary>
    public string MirrorListenerPath => $"{MirrorScheme}://{MirrorSystemName}@{MirrorAddress}/user/{Mirror.HeartbeatListener.Name}";

    public static DeviceNodeSettings FromConfig(Config root)
    {
        var id = root.RequireString("iotsync.device.id");
        if (!DeviceId.IsValid(id))
            throw new ConfigurationException($"iotsync.device.id: '{id}' is not a device id (1-64 of a-z, 0-9, '-', '_')");
        var address = root.RequireString("iotsync.device.mirror.address");
        if (!HostPort.TryParse(address, out _, out _))
            throw new ConfigurationException($"iotsync.device.mirror.address: '{address}' is not HOST:PORT");
        var modeText = root.RequireString("iotsync.device.network.mode");
        var mode = modeText switch
        {
            "none" => NetworkMode.None,
            "ip" => NetworkMode.Ip,
            "command" => NetworkMode.Command,
            _ => throw new ConfigurationException($"iotsync.device.network.mode: '{modeText}' is not one of none, ip, command"),
        };
        var settings = new DeviceNodeSettings(
            new DeviceId(id),
            root.RequirePath("iotsync.device.control-socket"),
            root.RequirePath("iotsync.device.heartbeat-key-file"),
            root.RequireString("iotsync.device.mirror.system-name"),
            address,
            mode,
            root.OptionalString("iotsync.device.network.interface"),
            root.StringList("iotsync.device.network.up-command"),
            root.StringList("iotsync.device.network.down-command"),
            root.StringList("iotsync.device.network.probe-command"),
            new NetworkTogglerSettings(
                root.RequireDuration("iotsync.device.cycle.period"),
                root.RequireDuration("iotsync.device.cycle.window-limit"),
                root.RequireDuration("iotsync.device.cycle.usable-timeout"),
                root.RequireDuration("iotsync.device.cycle.usable-poll")),
            root.RequireDuration("iotsync.device.heartbeat.initial-backoff"),
            root.RequireDuration("iotsync.device.heartbeat.give-up-after"),
            root.RequireDuration("iotsync.device.request-timeout"),
            Security.TlsSettings.FromConfig(root).Scheme,
            root.RequireDuration("iotsync.device.edge-restart-after", TimeSpan.FromMilliseconds(10)));
        if (mode == NetworkMode.Ip && string.IsNullOrWhiteSpace(settings.Interface))
            throw new ConfigurationException("iotsync.device.network.interface must name the interface when mode = ip");
        if (mode == NetworkMode.Command && (settings.UpCommand.IsEmpty || settings.DownCommand.IsEmpty || settings.ProbeCommand.IsEmpty))
            throw new ConfigurationException("iotsync.device.network.up-command, down-command and probe-command must be set when mode = command");
        if (settings.Cycle.WindowLimit >= settings.Cycle.Period)
            throw new ConfigurationException("iotsync.device.cycle.window-limit must be shorter than iotsync.device.cycle.period");
        return settings;
    }

    public INetworkInterface CreateInterface() => Mode switch
    {
        NetworkMode.Ip => new IpLinkInterface(Interface),
        NetworkMode.Command => new CommandInterface(UpCommand, DownCommand, ProbeCommand),
        _ => new AlwaysUpInterface(),
    };

    /// <summary>The device's heartbeat key: hex in its own file, at least 32 bytes; a clear error otherwise.</summary>
    public byte[] ReadHeartbeatKey()
    {
        if (!File.Exists(HeartbeatKeyFile))
            throw new ConfigurationException($"the heartbeat key file {HeartbeatKeyFile} does not exist (iotsync-device init writes one)");
        var text = File.ReadAllText(HeartbeatKeyFile).Trim();
        if (text.Length < Protocol.HeartbeatAuthenticator.MinimumKeyBytes * 2 || text.Length % 2 != 0 || !text.All(Uri.IsHexDigit))
            throw new ConfigurationException($"the heartbeat key file {HeartbeatKeyFile} must hold at least {Protocol.HeartbeatAuthenticator.MinimumKeyBytes} bytes as hex");
        return Convert.FromHexString(text);
    }
}
