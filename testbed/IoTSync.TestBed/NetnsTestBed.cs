using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using IoTSync.Testing;
using IoTSync.Testing.Processes;
using IoTSync.Testing.Rig;
using IoTSync.Testing.Ssh;

namespace IoTSync.TestBed;

/// <summary>One simulated device of a <see cref="NetnsTestBed"/>.</summary>
/// <param name="Index">0-based position in <see cref="NetnsTestBed.Devices"/>.</param>
/// <param name="Namespace">The device's network namespace.</param>
/// <param name="Address">Its address on <see cref="InterfaceName"/> (10.231.87.11 for the first device).</param>
/// <param name="InterfaceName">Its end of the veth pair inside its namespace: <c>eth0</c>.</param>
/// <param name="BridgePort">The other end, in the bridge's namespace, enslaved to <c>br0</c>.</param>
public sealed record TestBedDevice(int Index, string Namespace, IPAddress Address, string InterfaceName, string BridgePort);

/// <summary>
/// A network of namespaces for the real processes: one for the mirror and one per device, each
/// joined by a veth pair to the bridge <c>br0</c>, which lives in a namespace of its own; addresses
/// from 10.231.87.0/24, used only inside these namespaces. Nothing of it is in the root namespace.
/// Names carry a per-run prefix <c>iots-PID-XXXX-</c>; links are created inside the run's own
/// namespaces (a veth's node end is created directly in its node's namespace), so their names are
/// short and fixed, and go with the namespaces. Disposing kills what runs inside and deletes the
/// namespaces; <see cref="Create"/> first removes those of runs whose process is gone.
/// </summary>
public sealed class NetnsTestBed : IAsyncDisposable
{
    /// <summary>Every namespace of every test bed starts with this; then the creating process id.</summary>
    public const string BasePrefix = "iots-";

    /// <summary>The network the bed's nodes share: private, and used only inside the bed's namespaces.</summary>
    public const string Subnet = "10.231.87.0/24";

    public const string Bridge = "br0";

    public const string NodeInterface = "eth0";

    public static readonly IPAddress MirrorAddressInSubnet = IPAddress.Parse("10.231.87.1");

    /// <summary>The stranger's address (<see cref="Stranger"/>): on the bed's network, but neither mirror nor device.</summary>
    public static readonly IPAddress StrangerAddress = IPAddress.Parse("10.231.87.250");

    /// <summary>Behind NAT (<see cref="Router"/>): the devices' private network, which nothing on the bed's network has a route to.</summary>
    public const string PrivateSubnet = "192.168.77.0/24";

    /// <summary>Behind NAT: the router's address on the bed's network, which the devices' connections come from.</summary>
    public static readonly IPAddress RouterAddress = IPAddress.Parse("10.231.87.254");

    /// <summary>Behind NAT: the router's address on the devices' private network, their default gateway.</summary>
    public static readonly IPAddress RouterPrivateAddress = IPAddress.Parse("192.168.77.1");

    /// <summary>Behind NAT: the router's bridge of the devices' private network.</summary>
    public const string PrivateBridge = "lan0";

    private const int FirstDeviceHost = 11;
    private const int PrefixLength = 24;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);
    private static readonly Regex RunName = new($"^{Regex.Escape(BasePrefix)}(?<pid>[0-9]+)-", RegexOptions.CultureInvariant);
    private static readonly Lazy<string?> Availability = new(() => Task.Run(Probe).GetAwaiter().GetResult());
    private readonly List<NodeProcess> _processes = [];
    private int _disposed;

    private NetnsTestBed(string prefix, int devices, bool stranger, bool behindNat)
    {
        Prefix = prefix;
        BridgeNamespace = prefix + "br";
        MirrorNamespace = prefix + "mirror";
        Router = behindNat ? new TestBedDevice(-2, prefix + "router", RouterAddress, NodeInterface, "vr") : null;
        // Behind NAT a device's veth peer is in the router's namespace, on its private bridge.
        Devices = [.. Enumerable.Range(0, devices).Select(i => new TestBedDevice(i, $"{prefix}dev{i + 1}",
            IPAddress.Parse(behindNat ? $"192.168.77.{FirstDeviceHost + i}" : $"10.231.87.{FirstDeviceHost + i}"), NodeInterface, behindNat ? $"rd{i + 1}" : $"vd{i + 1}"))];
        Stranger = stranger ? new TestBedDevice(-1, prefix + "stranger", StrangerAddress, NodeInterface, "vs") : null;
    }

    /// <summary>This run's prefix: <c>iots-PID-XXXX-</c>.</summary>
    public string Prefix { get; }

    /// <summary>The namespace holding <c>br0</c> and the bridge ends of the veth pairs; it has no address.</summary>
    public string BridgeNamespace { get; }

    public string MirrorNamespace { get; }

    public IPAddress MirrorAddress => MirrorAddressInSubnet;

    public string MirrorInterfaceName => NodeInterface;

    public IReadOnlyList<TestBedDevice> Devices { get; }

    /// <summary>
    /// A host on the bed's bridge that is neither the mirror nor a device (an attacker on the device's
    /// network), when asked for at <see cref="Create"/>; null otherwise. Nothing runs in it unless a test starts it.
    /// </summary>
    public TestBedDevice? Stranger { get; }

    /// <summary>
    /// With <c>behindNat</c> at <see cref="Create"/>: the router between the devices' private network
    /// (<see cref="PrivateSubnet"/>, its bridge <see cref="PrivateBridge"/>) and the bed's, masquerading the
    /// devices' connections as its own address (nftables) and forwarding nothing the other way; null otherwise.
    /// The mirror then has no route to a device's address, as a cloud VM has none to a board behind a home router.
    /// </summary>
    public TestBedDevice? Router { get; }

    /// <summary>Every namespace of the bed: the devices', the stranger's, the router's, the mirror's, the bridge's.</summary>
    public IReadOnlyList<string> Namespaces =>
        [.. Devices.Select(d => d.Namespace), .. Stranger is { } stranger ? [stranger.Namespace] : Array.Empty<string>(),
            .. Router is { } router ? [router.Namespace] : Array.Empty<string>(), MirrorNamespace, BridgeNamespace];

    /// <summary>
    /// Builds the bed with <paramref name="devices"/> devices (and a <see cref="Stranger"/> when
    /// <paramref name="stranger"/>) and returns once every node's link has carrier. Removes leftovers
    /// of dead runs first; on any failure removes what it made. <paramref name="prefix"/> (from
    /// <see cref="NewPrefix"/>) names the bed's namespaces, so a caller can look for them even when
    /// creation is cut short; a fresh one is taken when none is given. With <paramref name="behindNat"/> the devices
    /// sit behind a masquerading <see cref="Router"/> on a private network of their own.
    /// </summary>
    public static async Task<NetnsTestBed> Create(int devices, CancellationToken cancellationToken = default, bool stranger = false, string? prefix = null,
        bool behindNat = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(devices);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(devices, 200);
        if (Unavailable() is { } reason)
            throw new InvalidOperationException($"the network-namespace test bed cannot run here: {reason}");
        if (prefix is not null && !prefix.StartsWith(OwnPrefix, StringComparison.Ordinal))
            throw new ArgumentException($"a bed's prefix starts with {OwnPrefix} (see NewPrefix), not {prefix}", nameof(prefix));
        await CleanLeftovers();
        var bed = new NetnsTestBed(prefix ?? NewPrefix(), devices, stranger, behindNat);
        try
        {
            await bed.Build(cancellationToken);
            return bed;
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    /// <summary>Why the bed cannot be built here (not Linux, not root, no <c>ip</c>, no namespaces, veths or bridges), or null.</summary>
    public static string? Unavailable() => Availability.Value;

    /// <summary>
    /// Runs <paramref name="argv"/> inside <paramref name="ns"/> (<c>ip netns exec</c>, no shell) to
    /// its end, bounded by <paramref name="timeout"/> (20 s by default).
    /// </summary>
    public static Task<CliRun> Exec(string ns, IReadOnlyList<string> argv, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        ProcessRunner.Run([IpTool, "netns", "exec", ns, .. argv], timeout, cancellationToken: cancellationToken);

    /// <summary>Starts a process inside <paramref name="ns"/>; the bed kills it when disposed, if the caller has not.</summary>
    public NodeProcess StartProcess(string ns, string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var process = NodeProcess.Start(fileName, arguments, environment: environment, launcher: LauncherFor(ns));
        lock (_processes)
            _processes.Add(process);
        return process;
    }

    /// <summary>
    /// Starts programs inside <paramref name="ns"/> the way <see cref="StartProcess"/> does
    /// (<c>setsid ip netns exec NS</c>), for the rig's <see cref="Deployment"/>.
    /// </summary>
    public static Launcher LauncherFor(string ns)
    {
        var ip = IpTool;
        return SetsidPath is { } setsid ? new Launcher([setsid, ip, "netns", "exec", ns], true) : new Launcher([ip, "netns", "exec", ns], false);
    }

    /// <summary>
    /// A <see cref="Deployment"/> of <paramref name="device"/> with this bed's mirror: the mirror node in
    /// the mirror's namespace on its address, the device's node and sshd in the device's namespace,
    /// the toggler in mode <c>ip</c> on the device's <c>eth0</c>.
    /// </summary>
    public DeploymentNetwork NetworkFor(TestBedDevice device) =>
        new(MirrorAddress.ToString(), device.Address.ToString(), device.InterfaceName, LauncherFor(MirrorNamespace), LauncherFor(device.Namespace));

    /// <summary>Whether the link is administratively up and has carrier (<c>UP</c> and <c>LOWER_UP</c>).</summary>
    public static async Task<bool> IsLinkUp(string ns, string iface)
    {
        var shown = (await Ip(["-n", ns, "-j", "link", "show", "dev", iface])).EnsureSuccess();
        using var json = JsonDocument.Parse(shown.Stdout);
        var flags = json.RootElement[0].GetProperty("flags").EnumerateArray().Select(flag => flag.GetString()).ToHashSet();
        return flags.Contains("UP") && flags.Contains("LOWER_UP");
    }

    /// <summary><c>ip link set dev IFACE up|down</c> inside <paramref name="ns"/>.</summary>
    public static async Task SetLink(string ns, string iface, bool up) =>
        (await Ip(["-n", ns, "link", "set", "dev", iface, up ? "up" : "down"])).EnsureSuccess();

    /// <summary>
    /// Whether a TCP connection from inside <paramref name="fromNs"/> to the address and port
    /// completes within <paramref name="timeout"/> (see <see cref="NamespaceSockets"/>).
    /// </summary>
    public static Task<bool> CanConnect(string fromNs, IPAddress address, int port, TimeSpan timeout) =>
        NamespaceSockets.CanConnect(fromNs, new IPEndPoint(address, port), timeout);

    /// <summary>The IPv4 addresses (with prefix length) configured in <paramref name="ns"/>, or in the root namespace for null.</summary>
    public static async Task<IReadOnlyList<string>> Addresses(string? ns)
    {
        var shown = (await Ip([.. ns is null ? Array.Empty<string>() : ["-n", ns], "-o", "-4", "addr", "show"])).EnsureSuccess();
        // "2: eth0    inet 10.231.87.1/24 scope global eth0\ ..."
        return [.. shown.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(fields => fields[Array.IndexOf(fields, "inet") + 1])];
    }

    /// <summary>The processes inside <paramref name="ns"/> (<c>ip netns pids</c>).</summary>
    public static async Task<IReadOnlyList<int>> ProcessesIn(string ns)
    {
        var listed = (await Ip(["netns", "pids", ns])).EnsureSuccess();
        return [.. listed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(pid => int.Parse(pid, CultureInfo.InvariantCulture))];
    }

    /// <summary>The network namespaces <c>ip netns list</c> names.</summary>
    public static async Task<IReadOnlyList<string>> ListNamespaces()
    {
        var listed = (await Ip(["netns", "list"])).EnsureSuccess();
        // "name" or "name (id: 3)"
        return [.. listed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')[0])];
    }

    /// <summary>
    /// Deletes every namespace named <c>iots-PID-…</c> whose process PID is gone (a crashed or
    /// killed earlier run), killing whatever still runs inside; returns the names removed.
    /// </summary>
    public static async Task<IReadOnlyList<string>> CleanLeftovers()
    {
        if (IpPath is null)
            return [];
        var dead = (await ListNamespaces())
            .Where(name => RunName.Match(name) is { Success: true } m
                           && int.TryParse(m.Groups["pid"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                           && !Directory.Exists($"/proc/{pid}"))
            .ToList();
        if (dead.Count > 0)
            await RemoveNamespaces(dead);
        return dead;
    }

    /// <summary>Kills the processes started here and everything else inside the namespaces, then deletes them (and with them the links).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        NodeProcess[] started;
        lock (_processes)
            started = [.. _processes];
        await Task.WhenAll(started.Select(process => process.DisposeAsync().AsTask()));
        var existing = (await ListNamespaces()).ToHashSet();
        await RemoveNamespaces([.. Namespaces.Where(existing.Contains)]);
    }

    public override string ToString() => $"test bed {Prefix}* ({Devices.Count} device(s))";

    /// <summary>The <c>ip</c> tool, or null when iproute2 is not installed.</summary>
    public static string? IpPath { get; } = ProcessRunner.Find("ip");

    /// <summary>The <c>setsid</c> tool, or null.</summary>
    public static string? SetsidPath { get; } = ProcessRunner.Find("setsid");

    /// <summary>
    /// The private sshd a device of this bed runs: inside its namespace, on its address at port 22,
    /// the client key admitted only from the mirror's address.
    /// </summary>
    public SshdOptions SshdFor(TestBedDevice device) => new()
    {
        Launcher = LauncherFor(device.Namespace),
        ListenAddress = device.Address,
        AllowedFrom = MirrorAddress.ToString(),
    };

    private static string IpTool => IpPath ?? throw new InvalidOperationException("ip not found (./iotsync test installs iproute2)");

    private static Task<CliRun> Ip(IReadOnlyList<string> arguments, string? batch = null) =>
        ProcessRunner.Run([IpTool, .. arguments], input: batch);

    /// <summary>What every bed of this process is named with: leftovers of dead processes are told apart by it.</summary>
    private static string OwnPrefix => $"{BasePrefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-";

    /// <summary>A fresh prefix for one bed of this process.</summary>
    public static string NewPrefix() => $"{OwnPrefix}{Random.Shared.Next(0x10000):x4}-";

    private async Task Build(CancellationToken cancellationToken)
    {
        // Behind NAT the router, not the devices, is on the bed's bridge.
        var nodes = (Router is { } router ? [router] : Devices).Concat(Stranger is { } stranger ? [stranger] : []).Select(d => (d.Namespace, d.Address, Port: d.BridgePort))
            .Prepend((Namespace: MirrorNamespace, Address: MirrorAddress, Port: "vm")).ToList();
        // One ip process per namespace, fed a batch: a few processes however many commands.
        await Batch(null, Namespaces.Select(ns => $"netns add {ns}"), cancellationToken);
        var bridge = new StringBuilder()
            .AppendLine("link set lo up")
            .AppendLine($"link add {Bridge} type bridge")
            .AppendLine($"link set {Bridge} up");
        foreach (var node in nodes)
            bridge.AppendLine($"link add {node.Port} type veth peer name {NodeInterface} netns {node.Namespace}")
                .AppendLine($"link set {node.Port} master {Bridge} up");
        await Batch(BridgeNamespace, bridge.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), cancellationToken);
        await Task.WhenAll(nodes.Select(node => Batch(node.Namespace,
        [
            "link set lo up",
            $"addr add {node.Address}/{PrefixLength} dev {NodeInterface}",
            $"link set {NodeInterface} up",
        ], cancellationToken)));
        foreach (var node in nodes)
            await Polling.Until(() => IsLinkUp(node.Namespace, NodeInterface), ReadyTimeout, $"{NodeInterface} in {node.Namespace} coming up");
        if (Router is { } nat)
            await BuildPrivateNetwork(nat, cancellationToken);
        // The mirror acknowledges at once towards the devices (see ARCHITECTURE, "Window measurement"):
        // sshd writes without TCP_NODELAY, so its channel-open answer otherwise waits ~40 ms for the
        // mirror's delayed ACK of the write before it.
        await Batch(MirrorNamespace, [$"route replace {Subnet} dev {NodeInterface} proto kernel scope link src {MirrorAddress} quickack 1"], cancellationToken);
    }

    /// <summary>
    /// The devices' private network behind <paramref name="router"/>: its bridge with the router's private address,
    /// each device's veth on it with the router as default gateway, forwarding on, and nftables masquerading what
    /// leaves for the bed's network while nothing new is forwarded towards the devices.
    /// </summary>
    private async Task BuildPrivateNetwork(TestBedDevice router, CancellationToken cancellationToken)
    {
        var lan = new List<string> { $"link add {PrivateBridge} type bridge", $"addr add {RouterPrivateAddress}/{PrefixLength} dev {PrivateBridge}", $"link set {PrivateBridge} up" };
        foreach (var device in Devices)
            lan.AddRange([$"link add {device.BridgePort} type veth peer name {NodeInterface} netns {device.Namespace}", $"link set {device.BridgePort} master {PrivateBridge} up"]);
        await Batch(router.Namespace, lan, cancellationToken);
        await Task.WhenAll(Devices.Select(device => Batch(device.Namespace,
        [
            "link set lo up",
            $"addr add {device.Address}/{PrefixLength} dev {NodeInterface}",
            $"link set {NodeInterface} up",
            // quickack: the mirror host's sshd writes to the device without TCP_NODELAY (as the bed's mirror route, below).
            $"route add default via {RouterPrivateAddress} dev {NodeInterface} quickack 1",
        ], cancellationToken)));
        (await Exec(router.Namespace, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"], cancellationToken: cancellationToken)).EnsureSuccess();
        var nat = $$"""
            table ip iotsync_bed_nat {
              chain post {
                type nat hook postrouting priority srcnat; policy accept;
                oifname "{{NodeInterface}}" ip saddr {{PrivateSubnet}} masquerade
              }
              chain forward {
                type filter hook forward priority filter; policy drop;
                iifname "{{PrivateBridge}}" oifname "{{NodeInterface}}" accept
                iifname "{{NodeInterface}}" oifname "{{PrivateBridge}}" ct state established,related accept
              }
            }

            """;
        (await ProcessRunner.Run([IpTool, "netns", "exec", router.Namespace, ProcessRunner.Find("nft") ?? "nft", "-f", "-"], input: nat,
            cancellationToken: cancellationToken)).EnsureSuccess();
        foreach (var device in Devices)
            await Polling.Until(() => IsLinkUp(device.Namespace, NodeInterface), ReadyTimeout, $"{NodeInterface} in {device.Namespace} coming up");
    }

    private static async Task Batch(string? ns, IEnumerable<string> commands, CancellationToken cancellationToken)
    {
        var input = string.Join('\n', commands) + "\n";
        (await ProcessRunner.Run([IpTool, .. ns is null ? Array.Empty<string>() : ["-n", ns], "-batch", "-"], input: input,
            cancellationToken: cancellationToken)).EnsureSuccess();
    }

    /// <summary>
    /// SIGKILL to every process inside each namespace (<c>ip netns pids</c>), then <c>ip netns del</c>;
    /// a namespace, and the links in it, is freed once its last process is gone, so this waits
    /// (bounded) for the killed processes to end.
    /// </summary>
    private static async Task RemoveNamespaces(IReadOnlyList<string> names)
    {
        var killed = new List<int>();
        foreach (var ns in names)
        {
            var pids = await Ip(["netns", "pids", ns]);
            foreach (var pid in pids.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(pid => int.Parse(pid, CultureInfo.InvariantCulture)))
            {
                _ = Native.kill(pid, Native.SigKill);
                killed.Add(pid);
            }
        }
        // -force: go on past a namespace another cleanup removed first.
        await ProcessRunner.Run([IpTool, "-force", "-batch", "-"], input: string.Join('\n', names.Select(ns => $"netns del {ns}")) + "\n");
        await Polling.Until(() => Task.FromResult(killed.All(Gone)), TimeSpan.FromSeconds(10), "processes in the deleted namespaces ending");
    }

    /// <summary>True when the process has ended (a zombie has already left its namespaces).</summary>
    private static bool Gone(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>Creates a scratch namespace with a veth pair and a bridge inside, and removes it.</summary>
    private static async Task<string?> Probe()
    {
        if (!OperatingSystem.IsLinux())
            return "network namespaces exist on Linux only";
        if (!Environment.IsPrivilegedProcess)
            return "creating network namespaces needs root";
        if (IpPath is null)
            return "ip not found on PATH or in /usr/sbin, /sbin (./iotsync test installs iproute2)";
        var name = $"{NewPrefix()}probe";
        try
        {
            var added = await Ip(["netns", "add", name]);
            if (!added.Succeeded)
                return $"'ip netns add' fails here (exit {added.ExitCode}): {added.Stderr.Trim()}";
            var links = await ProcessRunner.Run([IpTool, "-n", name, "-batch", "-"],
                input: "link add p0 type veth peer name p1\nlink add b0 type bridge\nlink set p0 master b0\n");
            if (!links.Succeeded)
                return $"veth pairs or bridges cannot be created in a network namespace here: {links.Stderr.Trim()}";
            NamespaceSockets.CreateTcp(name).Dispose();
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or UnauthorizedAccessException)
        {
            return $"network namespaces cannot be used here: {e.Message}";
        }
        finally
        {
            await ProcessRunner.Run([IpTool, "netns", "del", name]);
        }
    }
}
