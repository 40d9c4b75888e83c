using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using IoTSync.Testing.Processes;
using IoTSync.Testing.Ssh;

namespace IoTSync.Testing.Rig;

/// <summary>How a <see cref="Deployment"/> is set up.</summary>
public sealed record DeploymentOptions
{
    public string DeviceId { get; init; } = "demo-device";

    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan WindowLimit { get; init; } = TimeSpan.FromMilliseconds(1800);

    /// <summary>How long the device keeps calling an unreachable mirror within a window.</summary>
    public TimeSpan HeartbeatGiveUpAfter { get; init; } = TimeSpan.FromSeconds(1);

    public ImmutableArray<string> Allow { get; init; } = ["echo", "uname", "hostname", "date", "true", "false", "sleep", "sh"];

    /// <summary>How long the mirror honours a device's credentials after <c>device rotate</c>; the shipped default when null.</summary>
    public TimeSpan? RotationOverlap { get; init; }

    /// <summary>
    /// The accounts the nodes run as (the device node with CAP_NET_ADMIN alone, the mirror with
    /// nothing, sshd's sessions as the sync account); null runs everything as this process's user.
    /// </summary>
    public NodeUsers? Users { get; init; }

    /// <summary>Where the nodes run: all on 127.0.0.1 when null (toggler <c>none</c>), else apart on a network of their own.</summary>
    public DeploymentNetwork? Network { get; init; }

    /// <summary>The directory of the device node's database (a small file system that can fill, say); the device's own directory when null.</summary>
    public string? DeviceDatabaseDirectory { get; init; }

    /// <summary>The directory of the mirror node's database; the mirror's own directory when null.</summary>
    public string? MirrorDatabaseDirectory { get; init; }

    /// <summary>Whether the mirror also serves its HTTP API on TCP (HTTPS on a free loopback port, see <see cref="Deployment.ApiAddress"/>).</summary>
    public bool MirrorApi { get; init; }

    /// <summary>
    /// Reverse mode: the device dials the mirror host's sshd (<see cref="Deployment.Sshd"/> is then the mirror
    /// host's, with the shipped iotsync-mirror.conf, in the mirror's namespace on the bed) and the relay there
    /// brings its session to the mirror's session socket; the device runs no sshd.
    /// </summary>
    public bool Reverse { get; init; }

    /// <summary>
    /// The mirror's journal in PostgreSQL: the owner-only file holding the connection string (a
    /// <see cref="Persistence.PostgresTestDatabase"/>'s); SQLite (<see cref="Deployment.MirrorDatabase"/>) when null.
    /// </summary>
    public string? MirrorPostgresConnectionStringFile { get; init; }

    /// <summary>HOCON appended to the mirror's configuration (the HTTP API on a TCP address, say); nothing when empty.</summary>
    public string ExtraMirrorConfig { get; init; } = "";
}

/// <summary>
/// The nodes apart, each in its own network namespace of the test bed: the mirror's heartbeat
/// listener and the device's sshd on their own addresses, the device's toggler in mode <c>ip</c>
/// on its interface, each process started through its namespace's <see cref="Launcher"/>. The
/// nodes' command lines still run here: they talk to the nodes over Unix sockets, which a network
/// namespace does not separate.
/// </summary>
/// <param name="MirrorAddress">The mirror's address: its Akka.Remote hostname, and the only address the device's sshd admits the mirror's key from.</param>
/// <param name="DeviceAddress">The device's address: where its sshd listens (port 22).</param>
/// <param name="DeviceInterface">The device's interface, which its node takes up and down.</param>
/// <param name="Mirror">Starts the mirror node inside the mirror's namespace.</param>
/// <param name="Device">Starts the device node and its sshd inside the device's namespace.</param>
public sealed record DeploymentNetwork(string MirrorAddress, string DeviceAddress, string DeviceInterface, Launcher Mirror, Launcher Device)
{
    public const int SshPort = 22;

    /// <summary>The device node's network mode: <c>ip</c> (the link down between windows, the firewall behind it) or <c>nft</c> (the firewall alone).</summary>
    public string Mode { get; init; } = "ip";
}

/// <summary>
/// A mirror node, a device node and the device's own sshd, all on this machine, in one directory:
/// configs, keys, SQLite files and logs. The mirror reaches the device only by SSH with its
/// pinned host key; the device reaches the mirror only by heartbeat. Used by the demo and by the
/// tests that run the real executables.
/// </summary>
public sealed partial class Deployment : IAsyncDisposable
{
    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private Deployment(string directory, NodeBinaries binaries, DeploymentOptions options, PrivateSshd sshd, int mirrorPort)
    {
        ApiAddress = options.MirrorApi ? new Uri($"https://127.0.0.1:{PrivateSshd.FreePort()}/") : null;
        Directory = directory;
        Binaries = binaries;
        Options = options;
        Sshd = sshd;
        MirrorPort = mirrorPort;
    }

    public string Directory { get; }

    public NodeBinaries Binaries { get; }

    public DeploymentOptions Options { get; }

    /// <summary>The device's sshd (direct mode), or the mirror host's (<see cref="DeploymentOptions.Reverse"/>).</summary>
    public PrivateSshd Sshd { get; }

    public int MirrorPort { get; }

    /// <summary>The mirror's HTTP API on TCP (HTTPS, the fleet CA's certificate), when <see cref="DeploymentOptions.MirrorApi"/>.</summary>
    public Uri? ApiAddress { get; }

    /// <summary>The fleet CA's certificate: what an HTTPS client of the mirror's API trusts.</summary>
    public string FleetCaCertificate => Path.Combine(Directory, "mirror", "fleet-ca.crt");

    public string DeviceId => Options.DeviceId;

    public string MirrorConfig => Path.Combine(Directory, "mirror", "mirror.hocon");

    public string DeviceConfig => Path.Combine(Directory, "device", "device.hocon");

    public string MirrorDatabase => Path.Combine(Options.MirrorDatabaseDirectory ?? Path.Combine(Directory, "mirror"), "mirror.db");

    public string DeviceDatabase => Path.Combine(Options.DeviceDatabaseDirectory ?? Path.Combine(Directory, "device"), "device.db");

    public string DeviceSocket => Path.Combine(Directory, "device", "run", "device.sock");

    /// <summary>The enrolment file init writes for the mirror's <c>enroll --file</c>.</summary>
    public string DeviceEnrolmentFile => Path.Combine(Directory, "device", $"enrol-{DeviceId}.json");

    /// <summary>The device's heartbeat key file (made by init; the device reads it at start).</summary>
    public string DeviceHeartbeatKey => Path.Combine(Directory, "device", "heartbeat.key");

    public NodeProcess? Mirror { get; private set; }

    public NodeProcess? Device { get; private set; }

    /// <summary>The mirror's heartbeat address as the device dials it.</summary>
    public string MirrorHost => Options.Network?.MirrorAddress ?? "127.0.0.1";

    /// <summary>The device's sshd as the mirror dials it.</summary>
    public string DeviceSshEndpoint => $"{Sshd.Address}:{Sshd.Port}";

    /// <summary>The command sshd forces for the mirror's key: the relay, pointed at this device's socket.</summary>
    public string SyncEndpointCommand
    {
        get
        {
            var (file, arguments) = Binaries.SyncEndpoint(DeviceSocket, Options.WindowLimit);
            return string.Join(' ', [file, .. arguments]);
        }
    }

    /// <summary>The mirror node's control socket.</summary>
    public string MirrorSocket => Path.Combine(Directory, "mirror", "run", "mirror.sock");

    /// <summary>Reverse mode: the mirror node's session socket, which the relay on the mirror host connects to.</summary>
    public string MirrorSessionSocket => Path.Combine(Directory, "mirror", "run", "session", "session.sock");

    /// <summary>Reverse mode: the relay the mirror host's authorized_keys forces (native, or the managed one through dotnet).</summary>
    public string MirrorRelayCommand => Binaries.Relay switch
    {
        null => throw new InvalidOperationException("reverse mode needs the relay (IoTSync.SyncRelay) built"),
        var dll when dll.EndsWith(".dll", StringComparison.Ordinal) => $"{Binaries.Dotnet} {dll}",
        var native => native,
    };

    /// <summary>Reverse mode: the device's SSH public key (made by init), which the mirror's enroll takes.</summary>
    public string DeviceSshPublicKey => Path.Combine(Directory, "device", "device_ssh_key.pub");

    /// <summary>Writes both configs and starts sshd (nodes are started with <see cref="StartMirror"/> and <see cref="StartDevice"/>).</summary>
    public static async Task<Deployment> Create(string directory, NodeBinaries binaries, DeploymentOptions options)
    {
        directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "mirror"));
        var sshd = (options.Network, options.Reverse) switch
        {
            ({ } network, false) => await PrivateSshd.Start(DeviceSshd(directory, options) with
            {
                ListenAddress = IPAddress.Parse(network.DeviceAddress), Port = DeploymentNetwork.SshPort, Launcher = network.Device,
            }),
            ({ } network, true) => await PrivateSshd.Start(MirrorHostSshd(directory, options) with
            {
                ListenAddress = IPAddress.Parse(network.MirrorAddress), Port = DeploymentNetwork.SshPort, Launcher = network.Mirror,
            }),
            (null, true) => await PrivateSshd.Start(MirrorHostSshd(directory, options)),
            (null, false) => await PrivateSshd.Start(DeviceSshd(directory, options)),
        };
        try
        {
            var mirrorPort = PrivateSshd.FreePort();
            var deployment = new Deployment(directory, binaries, options, sshd, mirrorPort);
            await deployment.WriteMirrorConfig();
            await deployment.InitFleetCa();
            await deployment.InitDevice();
            if (options.Users is { } users)
                await deployment.HandToUsers(await users.Ensure());
            return deployment;
        }
        catch
        {
            await sshd.DisposeAsync();
            throw;
        }
    }

    private async Task WriteMirrorConfig()
    {
        File.Copy(Path.Combine(Binaries.HoconDirectory, "shared.hocon"), Path.Combine(Directory, "mirror", "shared.hocon"), overwrite: true);
        var shipped = await File.ReadAllTextAsync(Path.Combine(Binaries.HoconDirectory, "mirror.hocon"));
        await File.WriteAllTextAsync(MirrorConfig, shipped + $"""

            # This deployment's mirror: its own port, socket, key and database.
            # The heartbeat port.
            akka.remote.dot-netty.tcp.port = {MirrorPort}
            # The control socket.
            iotsync.mirror.control-socket = "{Path.Combine(Directory, "mirror", "run", "mirror.sock")}"
            # The mirror's SSH key (made on first start).
            iotsync.mirror.ssh.private-key = "{Path.Combine(Directory, "mirror", "mirror_ssh_key")}"
            # The mirror's SQLite journal.
            iotsync.persistence.database-path = "{MirrorDatabase}"
            # The fleet CA (made by ca init below) and the mirror's certificate from it.
            iotsync.tls.ca-certificate = "{Path.Combine(Directory, "mirror", "fleet-ca.crt")}"
            # The CA's key.
            iotsync.mirror.ca.key = "{Path.Combine(Directory, "mirror", "fleet-ca.key")}"
            # The mirror's certificate.
            iotsync.tls.certificate = "{Path.Combine(Directory, "mirror", "mirror.crt")}"
            # The mirror's certificate key.
            iotsync.tls.key = "{Path.Combine(Directory, "mirror", "mirror.key")}"
            # Look for late devices every second (the device cycles in seconds here).
            iotsync.mirror.late-check-every = 1s
            # A session is bounded by the device's window.
            iotsync.mirror.ssh.session-timeout = {(long)(Options.WindowLimit.TotalMilliseconds * 3)}ms
            # The device's window limit: not heard from for longer, with no session running, it is dark.
            iotsync.mirror.window-limit = {(long)Options.WindowLimit.TotalMilliseconds}ms

            """ + (ApiAddress is { } api ? $"""
            # The HTTP API for applications: HTTPS on loopback with the mirror's certificate from the fleet CA.
            iotsync.mirror.http.listen = ["127.0.0.1:{api.Port}"]

            """ : "") + (Options.RotationOverlap is { } overlap ? $"""
            # Credentials replaced by `device rotate` are honoured this long.
            iotsync.mirror.rotation-overlap = {(long)overlap.TotalMilliseconds}ms

            """ : "") + (Options.Network is { } network ? $"""
            # Apart from the device: heartbeats on the mirror's own address, and the device's sshd
            # admits the mirror's key from there only.
            akka.remote.dot-netty.tcp.hostname = "{network.MirrorAddress}"
            iotsync.mirror.enrolment.outward-address = "{network.MirrorAddress}"

            """ : "") + (Options.Reverse ? $"""
            # Reverse mode: the device's sessions arrive through the mirror host's sshd and the relay.
            iotsync.mirror.reverse.session-socket = "{MirrorSessionSocket}"
            # The relay the printed authorized_keys lines force.
            iotsync.mirror.reverse.relay-command = "{MirrorRelayCommand}"
            # The mirror waits for the device's session at most its window.
            iotsync.mirror.reverse.arrival-timeout = {(long)Options.WindowLimit.TotalMilliseconds}ms

            """ : "") + (Options.Reverse && Options.Users is { } owners ? $"""
            # sshd runs the relay as the sync account, whose group may use the session socket.
            iotsync.mirror.reverse.session-socket-group = "{owners.SocketGroup}"

            """ : "") + (Options.MirrorPostgresConnectionStringFile is { } postgres ? $"""
            # The mirror's journal in PostgreSQL (the SQLite path above then names only its state directory and lock).
            iotsync.persistence.provider = postgresql
            # The owner-only file holding the connection string.
            iotsync.persistence.postgresql.connection-string-file = "{postgres}"

            """ : "") + (Options.ExtraMirrorConfig.Length > 0 ? $"""
            # This deployment's own additions.
            {Options.ExtraMirrorConfig}

            """ : ""));
    }

    /// <summary><c>iotsync-mirror ca init</c>: the fleet CA and the mirror's certificate, before the mirror first starts.</summary>
    private async Task InitFleetCa() =>
        (await MirrorCli(["ca", "init"])).EnsureSuccess("iotsync-mirror ca init");

    /// <summary>The mirror host's sshd (reverse mode): the shipped mirror drop-in, its authorized_keys written at enrolment.</summary>
    private static SshdOptions MirrorHostSshd(string directory, DeploymentOptions options) =>
        new() { Directory = Path.Combine(directory, "mirror-ssh"), LogLevel = "VERBOSE", SyncUser = options.Users?.SyncUser, DropIn = PrivateSshd.MirrorDropIn };

    /// <summary>The device's own sshd: in the deployment's directory, its authorized_keys written at enrolment.</summary>
    private static SshdOptions DeviceSshd(string directory, DeploymentOptions options) =>
        new() { Directory = Path.Combine(directory, "device-ssh"), LogLevel = "VERBOSE", SyncUser = options.Users?.SyncUser };

    private async Task InitDevice()
    {
        string[] network = Options.Network is { } apart ? ["--network", apart.Mode, "--interface", apart.DeviceInterface] : [];
        string[] reverse = Options.Reverse
            ? ["--mode", "reverse", "--mirror-ssh", $"{Sshd.Address}:{Sshd.Port}", "--mirror-host-key", Sshd.HostKey.Value, "--mirror-ssh-user", Options.Users?.SyncUser ?? Environment.UserName]
            : [];
        // The device's own sshd, for its enrolment file (direct mode: the mirror dials it).
        string[] direct = Options.Reverse
            ? []
            : ["--ssh", DeviceSshEndpoint, "--ssh-user", Options.Users?.SyncUser ?? Environment.UserName, "--host-key-file", Sshd.PathOf("host_key.pub")];
        var init = await DeviceCli(["init", "--id", DeviceId, "--mirror", $"{MirrorHost}:{MirrorPort}", "--dir", Path.Combine(Directory, "device"),
            "--period", $"{(long)Options.Period.TotalMilliseconds}ms", "--window-limit", $"{(long)Options.WindowLimit.TotalMilliseconds}ms",
            .. network, .. reverse, .. direct, "--force", "--allow", .. Options.Allow]);
        init.EnsureSuccess("iotsync-device init");
        // The device's certificate request signed by the fleet CA (no running node needed), written where its configuration expects it.
        (await MirrorCli(["ca", "sign", "--device", DeviceId, "--csr", Path.Combine(Directory, "device", "device.csr"),
            "--certificate-out", Path.Combine(Directory, "device")])).EnsureSuccess("iotsync-mirror ca sign");
        await File.AppendAllTextAsync(DeviceConfig, $"""
            # This deployment's heartbeat back-off bound.
            iotsync.device.heartbeat.give-up-after = {(long)Options.HeartbeatGiveUpAfter.TotalMilliseconds}ms
            # The device's SQLite journal.
            iotsync.persistence.database-path = "{DeviceDatabase}"

            """);
        if (Binaries.CommandRunner is { } runner)
            await File.AppendAllTextAsync(DeviceConfig, $"""
                # The native command runner, as published by ./iotsync.
                iotsync.device.commands.runner = "{runner}"

                """);
    }

    /// <summary>
    /// Each node's directory to its user; the deployment's directory passable (not listable) for them
    /// and sshd's sessions; the device's control socket shared with the sync account's group.
    /// </summary>
    private async Task HandToUsers(NodeUsers users)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("node accounts need Unix permissions");
        File.SetUnixFileMode(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        await File.AppendAllTextAsync(DeviceConfig, $"""
            # The sync account's group may use the control socket (sshd runs the relay as that account).
            iotsync.device.control-socket-group = "{users.SocketGroup}"

            """);
        await NodeUsers.GiveTo(Path.Combine(Directory, "mirror"), users.MirrorUser);
        await NodeUsers.GiveTo(Path.Combine(Directory, "device"), users.DeviceUser);
    }

    private Launcher MirrorLauncher => Options.Users is { } users ? users.AsMirror(Options.Network?.Mirror ?? Launcher.Direct) : Options.Network?.Mirror ?? Launcher.Direct;

    private Launcher DeviceLauncher => Options.Users is { } users ? users.AsDevice(Options.Network?.Device ?? Launcher.Direct) : Options.Network?.Device ?? Launcher.Direct;

    /// <summary>A user with no home of its own gets its node's directory as one.</summary>
    private IReadOnlyDictionary<string, string>? WithHome(IReadOnlyDictionary<string, string>? environment, string node) =>
        Options.Users is null
            ? environment
            : new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["HOME"] = Path.Combine(Directory, node) };

    public async Task StartMirror(IReadOnlyDictionary<string, string>? environment = null)
    {
        Mirror = NodeProcess.Start(Binaries.Dotnet, [Binaries.MirrorDll, "run", "--config", MirrorConfig], Path.Combine(Directory, "mirror", "node.log"),
            WithHome(environment, "mirror"), MirrorLauncher);
        await Mirror.WaitForOutput(MirrorRunning(), StartTimeout);
    }

    public async Task StartDevice(IReadOnlyDictionary<string, string>? environment = null)
    {
        Device = NodeProcess.Start(Binaries.Dotnet, [Binaries.DeviceDll, "run", "--config", DeviceConfig], Path.Combine(Directory, "device", "node.log"),
            WithHome(environment, "device"), DeviceLauncher);
        await Device.WaitForOutput(DeviceRunning(), StartTimeout);
    }

    /// <summary>
    /// Enrols the device at the running mirror and installs the printed line as sshd's authorized_keys (in reverse
    /// mode, the mirror host's: the device's key forced to the relay for its id; <paramref name="hostKeyFingerprint"/> is not used).
    /// </summary>
    public async Task<string> Enroll(string? hostKeyFingerprint = null)
    {
        if (Options.Reverse)
        {
            var reverse = (await MirrorCli(["enroll", "--device", DeviceId, "--mode", "reverse", "--device-key-file", DeviceSshPublicKey,
                "--heartbeat-key-file", DeviceHeartbeatKey])).EnsureSuccess("iotsync-mirror enroll --mode reverse");
            var reverseLine = reverse.Stdout.Trim();
            await File.WriteAllTextAsync(Sshd.AuthorizedKeysFile, reverseLine + "\n");
            return reverseLine;
        }
        var enrolled = (await MirrorCli(["enroll", "--device", DeviceId, "--ssh", DeviceSshEndpoint, "--from", MirrorHost, "--ssh-user", Options.Users?.SyncUser ?? Environment.UserName,
            "--host-key", hostKeyFingerprint ?? Sshd.HostKey.Value, "--heartbeat-key-file", DeviceHeartbeatKey,
            "--device-command", SyncEndpointCommand])).EnsureSuccess("iotsync-mirror enroll");
        var line = enrolled.Stdout.Trim();
        await File.WriteAllTextAsync(Sshd.AuthorizedKeysFile, line + "\n");
        return line;
    }

    /// <summary>sshd, mirror (enrolled) and device, all running.</summary>
    public async Task StartAll()
    {
        await StartMirror();
        await Enroll();
        await StartDevice();
    }

    public Task<CliRun> MirrorCli(IEnumerable<string> arguments) =>
        NodeCliRunner.Run(Binaries.MirrorDll, WithConfig(arguments, MirrorConfig), timeout: CliTimeout, dotnet: Binaries.Dotnet);

    public Task<CliRun> DeviceCli(IEnumerable<string> arguments) =>
        NodeCliRunner.Run(Binaries.DeviceDll, WithConfig(arguments, DeviceConfig), timeout: CliTimeout, dotnet: Binaries.Dotnet);

    /// <summary>Adds <c>--config</c> (init writes the config instead of reading it).</summary>
    private static List<string> WithConfig(IEnumerable<string> arguments, string config)
    {
        var args = arguments.ToList();
        return args[0] == "init" ? args : WithOptions(args, "--config", config);
    }

    /// <summary>Options go before a <c>--</c>: after it they would be part of the command.</summary>
    private static List<string> WithOptions(IEnumerable<string> arguments, params string[] options)
    {
        var args = arguments.ToList();
        var end = args.IndexOf("--");
        args.InsertRange(end < 0 ? args.Count : end, options);
        return args;
    }

    /// <summary>A command's JSON answer (the command is given <c>--json</c>).</summary>
    public async Task<JsonElement> MirrorJson(params string[] arguments) =>
        Parse((await MirrorCli(WithOptions(arguments, "--json"))).EnsureSuccess($"iotsync-mirror {string.Join(' ', arguments)}"));

    public async Task<JsonElement> DeviceJson(params string[] arguments) =>
        Parse((await DeviceCli(WithOptions(arguments, "--json"))).EnsureSuccess($"iotsync-device {string.Join(' ', arguments)}"));

    /// <summary>
    /// Where mirror command <paramref name="sequence"/> stands (<c>result --json</c>), whatever its
    /// exit code says: 3 means not resolved yet, the command's own code once it is.
    /// </summary>
    public async Task<JsonElement> CommandResult(long sequence)
    {
        var run = await MirrorCli(["result", "--device", DeviceId, sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json"]);
        return run.Stdout.StartsWith('{') ? Parse(run) : throw new InvalidOperationException($"iotsync-mirror result exited {run.ExitCode}: {run.Stderr.Trim()}");
    }

    private static JsonElement Parse(CliRun run)
    {
        using var document = JsonDocument.Parse(run.Stdout);
        return document.RootElement.Clone();
    }

    public async Task StopNodes()
    {
        if (Device is not null)
            await Device.Stop(TimeSpan.FromSeconds(15));
        if (Mirror is not null)
            await Mirror.Stop(TimeSpan.FromSeconds(15));
    }

    [GeneratedRegex("iotsync-mirror: running")]
    private static partial Regex MirrorRunning();

    [GeneratedRegex("iotsync-device: .* running")]
    private static partial Regex DeviceRunning();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopNodes();
        }
        finally
        {
            if (Device is not null)
                await Device.DisposeAsync();
            if (Mirror is not null)
                await Mirror.DisposeAsync();
            await Sshd.DisposeAsync();
        }
    }
}
