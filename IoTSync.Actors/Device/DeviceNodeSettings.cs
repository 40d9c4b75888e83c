using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using IoTSync.Configuration;
using IoTSync.Device.Firewall;
using IoTSync.Model;

namespace IoTSync.Device;

/// <summary>Everything <c>iotsync-device run</c> reads from <c>device.hocon</c> besides persistence and the command policy.</summary>
public sealed record DeviceNodeSettings(
    DeviceId Device,
    string ControlSocket,
    string HeartbeatKeyFile,
    string MirrorSystemName,
    ImmutableArray<string> MirrorAddresses,
    NetworkMode Mode,
    string Interface,
    ImmutableArray<string> UpCommand,
    ImmutableArray<string> DownCommand,
    ImmutableArray<string> ProbeCommand,
    bool FirewallOn,
    string FirewallTable,
    TimeSpan FirewallLinger,
    NetworkTogglerSettings Cycle,
    TimeSpan InitialBackoff,
    TimeSpan GiveUpAfter,
    TimeSpan RequestTimeout,
    string ControlSocketGroup = "",
    string MirrorScheme = "akka.tcp",
    TimeSpan? EdgeRestartAfter = null,
    TimeSpan? NeighbourRetransmit = null)
{
    /// <summary>The Akka system name: the device id in it, so two devices never share an address.</summary>
    public string SystemName => $"iotsync-device-{Device.Value}";

    /// <summary>The first mirror the device lists (the only one, unless it lists a fleet's nodes).</summary>
    public string MirrorAddress => MirrorAddresses[0];

    /// <summary>The mirrors' heartbeat listeners as Akka.Remote paths, in the order listed: every mirror node shares the system name.</summary>
    public ImmutableArray<string> MirrorListenerPaths =>
        [.. MirrorAddresses.Select(address => $"{MirrorScheme}://{MirrorSystemName}@{address}/user/{Mirror.HeartbeatListener.Name}")];

    /// <summary>The first mirror's heartbeat listener as an Akka.Remote path.</summary>
    public string MirrorListenerPath => MirrorListenerPaths[0];

    public static DeviceNodeSettings FromConfig(Config root)
    {
        var id = root.RequireString("iotsync.device.id");
        if (!DeviceId.IsValid(id))
            throw new ConfigurationException($"iotsync.device.id: '{id}' is not a device id (1-64 of a-z, 0-9, '-', '_')");
        var addresses = MirrorAddressesFrom(root);
        var modeText = root.RequireString("iotsync.device.network.mode");
        var mode = modeText switch
        {
            "none" => NetworkMode.None,
            "ip" => NetworkMode.Ip,
            "command" => NetworkMode.Command,
            "nft" => NetworkMode.Nft,
            _ => throw new ConfigurationException($"iotsync.device.network.mode: '{modeText}' is not one of none, ip, command, nft"),
        };
        var settings = new DeviceNodeSettings(
            new DeviceId(id),
            root.RequirePath("iotsync.device.control-socket"),
            root.RequirePath("iotsync.device.heartbeat-key-file"),
            root.RequireString("iotsync.device.mirror.system-name"),
            addresses,
            mode,
            root.OptionalString("iotsync.device.network.interface"),
            root.StringList("iotsync.device.network.up-command"),
            root.StringList("iotsync.device.network.down-command"),
            root.StringList("iotsync.device.network.probe-command"),
            OnOff(root, "iotsync.device.network.firewall"),
            root.RequireString("iotsync.device.network.firewall-table"),
            root.RequireDuration("iotsync.device.network.firewall-linger"),
            new NetworkTogglerSettings(
                root.RequireDuration("iotsync.device.cycle.period"),
                root.RequireDuration("iotsync.device.cycle.window-limit"),
                root.RequireDuration("iotsync.device.cycle.usable-timeout"),
                root.RequireDuration("iotsync.device.cycle.usable-poll")),
            root.RequireDuration("iotsync.device.heartbeat.initial-backoff"),
            root.RequireDuration("iotsync.device.heartbeat.give-up-after"),
            root.RequireDuration("iotsync.device.request-timeout"),
            root.OptionalString("iotsync.device.control-socket-group"),
            Security.TlsSettings.FromConfig(root).Scheme,
            root.RequireDuration("iotsync.device.edge-restart-after", TimeSpan.FromMilliseconds(10)),
            root.RequireDuration("iotsync.device.network.neighbour-retransmit"));
        if (mode is NetworkMode.Ip or NetworkMode.Nft && string.IsNullOrWhiteSpace(settings.Interface))
            throw new ConfigurationException($"iotsync.device.network.interface must name the interface when mode = {modeText}");
        if (settings.UsesFirewall)
        {
            if (string.IsNullOrWhiteSpace(settings.Interface))
                throw new ConfigurationException("iotsync.device.network.interface must name the interface the firewall closes (or set iotsync.device.network.firewall = off)");
            try
            {
                WindowFirewallRules.For(settings.FirewallTable, settings.Interface);
            }
            catch (ArgumentException e)
            {
                throw new ConfigurationException($"iotsync.device.network: {e.Message}");
            }
            if (settings.MirrorAddresses.FirstOrDefault(a => MirrorIpOf(a) is null) is { } named)
                throw new ConfigurationException($"{MirrorAddressKey(root)}: the window firewall admits each mirror by its IPv4 address; '{named}' does not give one");
        }
        if (mode == NetworkMode.Command && (settings.UpCommand.IsEmpty || settings.DownCommand.IsEmpty || settings.ProbeCommand.IsEmpty))
            throw new ConfigurationException("iotsync.device.network.up-command, down-command and probe-command must be set when mode = command");
        if (settings.Cycle.WindowLimit >= settings.Cycle.Period)
            throw new ConfigurationException("iotsync.device.cycle.window-limit must be shorter than iotsync.device.cycle.period");
        return settings;
    }

    /// <summary>
    /// Whether the nftables window firewall closes the interface: always in mode <c>nft</c>, as the
    /// backstop under <c>ip</c> and <c>command</c> unless <c>firewall = off</c>, never under <c>none</c>.
    /// </summary>
    public bool UsesFirewall => Mode == NetworkMode.Nft || (FirewallOn && Mode is NetworkMode.Ip or NetworkMode.Command);

    /// <summary>
    /// The mirrors the device calls, from <c>iotsync.device.mirror.addresses</c> (one or more) or, in a
    /// configuration from before fleets, the single <c>address</c> (a list of one); both set is refused, as
    /// is an address that is not HOST:PORT or is listed twice.
    /// </summary>
    public static ImmutableArray<string> MirrorAddressesFrom(Config root)
    {
        // Akka's HOCON reads a single string as an empty list: the user's value would vanish unsaid.
        if (root.HasPath(AddressesKey) && root.GetValue(AddressesKey) is { } value && !value.IsArray() && value.IsString())
            throw new ConfigurationException($"{AddressesKey} must be a list of \"HOST:PORT\" strings");
        var listed = root.StringList(AddressesKey);
        if (listed.IsEmpty)
        {
            // The old single form; unset too, it says what it always said.
            var single = root.RequireString(AddressKey);
            if (!HostPort.TryParse(single, out _, out _))
                throw new ConfigurationException($"{AddressKey}: '{single}' is not HOST:PORT");
            return [single];
        }
        if (root.OptionalString(AddressKey).Length > 0)
            throw new ConfigurationException($"{AddressKey} and {AddressesKey} are both set: list every mirror in {AddressesKey} and set {AddressKey} = \"\" " +
                                             "(address is the single-mirror form of configurations from before fleets)");
        foreach (var address in listed)
            if (!HostPort.TryParse(address, out _, out _))
                throw new ConfigurationException($"{AddressesKey}: '{address}' is not HOST:PORT");
        if (listed.GroupBy(a => a, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ConfigurationException($"{AddressesKey}: '{twice.Key}' is listed twice");
        return listed;
    }

    private const string AddressKey = "iotsync.device.mirror.address";

    private const string AddressesKey = "iotsync.device.mirror.addresses";

    private static string MirrorAddressKey(Config root) => root.StringList(AddressesKey).IsEmpty ? AddressKey : AddressesKey;

    /// <summary>The first mirror's IPv4 address, or null when it is a name or IPv6.</summary>
    public IPAddress? MirrorIp => MirrorIpOf(MirrorAddress);

    /// <summary>Every listed mirror's IPv4 address, in order (the window firewall admits them all); empty unless each is one.</summary>
    public ImmutableArray<IPAddress> MirrorIps
    {
        get
        {
            var ips = MirrorAddresses.Select(MirrorIpOf).ToArray();
            return ips.All(ip => ip is not null) ? [.. ips.Select(ip => ip!)] : ImmutableArray<IPAddress>.Empty;
        }
    }

    private static IPAddress? MirrorIpOf(string address) =>
        HostPort.TryParse(address, out var host, out _) && IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork
            ? ip
            : null;

    /// <summary>
    /// Null when every mirror address is an address literal; else the warning that a name is dialled:
    /// Akka.Remote compares addresses as text, so a mirror not bound as exactly this name (its
    /// <c>akka.remote.dot-netty.tcp.hostname</c>) drops every heartbeat addressed to it.
    /// </summary>
    public string? MirrorNameWarning =>
        MirrorAddresses.Select(MirrorNameWarningFor).OfType<string>().ToArray() is { Length: > 0 } warnings ? string.Join("; ", warnings) : null;

    /// <summary>See <see cref="MirrorNameWarning"/>.</summary>
    public static string? MirrorNameWarningFor(string mirrorAddress) =>
        HostPort.TryParse(mirrorAddress, out var host, out _) && !IPAddress.TryParse(host, out _)
            ? $"mirror address {mirrorAddress} is a name: the mirror takes heartbeats only addressed exactly as it is bound " +
              "(its akka.remote.dot-netty.tcp.hostname, usually an IP address such as 127.0.0.1) and drops all others; " +
              "use that address unless the mirror is bound as this name"
            : null;

    /// <summary>The interface as the mode reaches it, behind the window firewall when it is used (nftables in-process, <c>nft</c> where libnftables cannot be loaded).</summary>
    public INetworkInterface CreateInterface()
    {
        INetworkInterface link = Mode switch
        {
            // Not IoctlLinkInterface yet: its link-down lands microseconds after the session's end and
            // cuts sshd's last packets to the mirror, whose close then waits seconds (see ARCHITECTURE).
            NetworkMode.Ip => new IpLinkInterface(Interface, neighbourRetransmit: NeighbourRetransmit),
            NetworkMode.Command => new CommandInterface(UpCommand, DownCommand, ProbeCommand),
            _ => new AlwaysUpInterface(),
        };
        if (!UsesFirewall)
            return link;
        INftables nftables = (INftables?)LibNftables.TryCreate(out _) ?? new NftProcess();
        return new FirewalledInterface(link, new WindowFirewall(nftables, WindowFirewallRules.For(FirewallTable, Interface), MirrorIps, Cycle.WindowLimit, FirewallLinger));
    }

    private static bool OnOff(Config root, string path) =>
        root.RequireString(path) switch
        {
            "on" or "true" or "yes" => true,
            "off" or "false" or "no" => false,
            var other => throw new ConfigurationException($"{path}: '{other}' is not on or off"),
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
