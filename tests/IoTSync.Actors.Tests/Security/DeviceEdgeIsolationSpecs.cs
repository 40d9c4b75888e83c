using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using IoTSync.Device;
using IoTSync.Hosting;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace IoTSync.Tests.Security;

/// <summary>
/// The device node as <c>iotsync-device run</c> builds it, syncing heartbeats with a mirror over mutual
/// TLS, attacked by a peer holding a valid mirror certificate from the fleet CA (a stolen mirror identity):
/// the device's edge listens on loopback alone, so from the network nothing answers; a peer that does
/// associate (on the device itself) and sends by direct reference to every path the node has reaches
/// nothing but the heartbeat sender, which takes only acks and session-abandoned messages signed with the
/// device's key; no frame builds a type of the peer's choosing; the device's logs stay as they were.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DeviceEdgeIsolationSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    private readonly string _directory = Directory.CreateTempSubdirectory("iotsync-device-attacked-").FullName;
    private readonly TestFleet _fleet = new();
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private RunningMirror _mirror = null!;
    private IHost _device = null!;
    private Attacker _attacker = null!;

    /// <summary>Every path of the device node: the core's actors (recorder, heartbeat gateway, cycle), the edge's sender, the system's own actors, the guardians.</summary>
    private static readonly string[] NodePaths =
    [
        "/user/recorder", "/user/heartbeat", "/user/cycle",
        "/system/deadLetterListener", "/system/remote-watcher", "/system/endpointManager", "/system/transports",
        "/system/akka.persistence.journal.sql", "/user", "/system", "/",
    ];

    public static TheoryData<string> Paths => [.. NodePaths];

    public async Task InitializeAsync()
    {
        var port = PrivateSshd.FreePort();
        _mirror = await RunningMirror.Start(fleet: _fleet, port: port, key: _key);
        var config = ConfigurationFactory.ParseString(_fleet.DeviceFiles(_directory, RunningMirror.Device) + $$"""
            iotsync.device.id = "{{RunningMirror.Device.Value}}"
            iotsync.device.control-socket = "{{_directory}}/device.sock"
            iotsync.device.mirror.address = "127.0.0.1:{{port}}"
            iotsync.device.cycle { period = 1s, window-limit = 700ms }
            iotsync.device.heartbeat.give-up-after = 400ms
            iotsync.persistence.database-path = "{{_directory}}/device.db"
            akka.loglevel = WARNING
            akka.stdout-loglevel = WARNING
            """).WithFallback(IoTSyncSystem.LoadNodeConfig(Path.Combine(AppContext.BaseDirectory, "hocon", "device.hocon")));
        var settings = DeviceNodeSettings.FromConfig(config);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddDeviceNode(config, DeviceNodeParts.FromConfig(config, settings, new AlwaysUpInterface(), _key));
        _device = builder.Build();
        await _device.StartAsync();
        await MirrorAnswered(1);
        // The strongest peer: a certificate the fleet CA issued to a mirror.
        using var stolen = _fleet.Ca.IssueMirror("iotsync-mirror", TimeSpan.FromDays(30), DateTimeOffset.UtcNow);
        _attacker = new Attacker("stolen-mirror", System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(stolen.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null));
    }

    public async Task DisposeAsync()
    {
        await _attacker.DisposeAsync();
        await _device.StopAsync();
        _device.Dispose();
        await _mirror.DisposeAsync();
        _fleet.Dispose();
        foreach (var database in Directory.GetFiles(_directory, "*.db"))
            IoTSync.Persistence.SqlitePersistence.ClearPool(database);
        Directory.Delete(_directory, recursive: true);
    }

    private Address Edge => _device.Services.GetRequiredService<EdgeSystem>().Address;

    private IActorRef Recorder => _device.Services.GetRequiredService<ActorRegistry>().Get<DeviceNodeActors.Recorder>();

    [Fact]
    public async Task Should_listen_on_loopback_alone_so_nothing_on_the_network_reaches_the_edge()
    {
        Assert.Equal("127.0.0.1", Edge.Host);
        var elsewhere = Dns.GetHostAddresses(Dns.GetHostName()).Concat(NetworkAddresses())
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a)).Distinct().ToArray();
        // Another loopback address stands in when the machine has no other address.
        foreach (var address in elsewhere.DefaultIfEmpty(IPAddress.Parse("127.0.0.2")))
        {
            using var tcp = new TcpClient(AddressFamily.InterNetwork);
            var refused = await Assert.ThrowsAsync<SocketException>(() => tcp.ConnectAsync(address, Edge.Port!.Value).WaitAsync(RunningMirror.Timeout));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }
    }

    [Fact]
    public async Task Should_show_the_attacker_does_associate_and_reaches_the_heartbeat_sender_alone()
    {
        // The control for the specs below: the association forms, the sender exists on the edge, nothing else does.
        var probe = _attacker.NewProbe();

        _attacker.Resolve(Edge, "/user/heartbeat").Tell(new Identify("sender"), probe.Ref);
        var sender = await probe.ExpectMsgAsync<ActorIdentity>(RunningMirror.Timeout);
        _attacker.Resolve(Edge, "/user/recorder").Tell(new Identify("recorder"), probe.Ref);
        var recorder = await probe.ExpectMsgAsync<ActorIdentity>(RunningMirror.Timeout);

        Assert.NotNull(sender.Subject);
        Assert.Null(recorder.Subject);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Should_let_no_message_sent_by_direct_reference_reach_any_actor_of_the_device(string path)
    {
        var before = await Observable();
        var answered = await WindowsAnswered();
        var target = _attacker.Resolve(Edge, path);

        foreach (var message in Attacks())
            target.Tell(message, _attacker.Probe.Ref);
        target.Tell(PoisonPill.Instance);
        // Untrusted mode does not drop a remote Kill: the edge's guardian resumes the sender, which goes on.
        target.Tell(Kill.Instance);

        // The mirror's answers still reach the device, two windows on.
        await MirrorAnswered(answered + 2);
        _attacker.Probe.ExpectNoMsg(Quiet);
        Assert.Equal(before, await Observable());
    }

    [Theory]
    [InlineData("/system/transports")]
    [InlineData("/system/endpointManager")]
    [InlineData("/system/remote-watcher")]
    [InlineData("/user/heartbeat")]
    public async Task Should_keep_its_edge_when_a_peer_sends_a_kill_to_one_of_its_actors(string path)
    {
        // Untrusted mode delivers a remote Kill; to the edge's transports or endpoint manager it ended the
        // edge's remoting, and the device never heard its mirror again. The edge no longer reads one.
        var answered = await WindowsAnswered();

        _attacker.Resolve(Edge, path).Tell(Kill.Instance);

        await MirrorAnswered(answered + 2);
    }

    [Fact]
    public async Task Should_construct_nothing_from_a_frame_naming_the_json_serializer_and_a_canary_type()
    {
        var before = await Observable();
        var answered = await WindowsAnswered();
        var canary = new DeviceCanary();
        var constructed = DeviceCanary.Constructed;

        foreach (var path in NodePaths)
            _attacker.Resolve(Edge, path).Tell(canary, _attacker.Probe.Ref);
        await MirrorAnswered(answered + 2);

        Assert.Equal(constructed, DeviceCanary.Constructed);
        Assert.Equal(before, await Observable());
    }

    /// <summary>
    /// What a stolen mirror identity would send: run a command, append mirror entries, record a command,
    /// open a session, read the log, a forged view, forged acks and a forged session-abandoned (no device
    /// key), and the sender's own command (no serializer on the device knows it).
    /// </summary>
    private IEnumerable<object> Attacks()
    {
        var device = RunningMirror.Device;
        var mirrorLog = LogPosition.Empty(device, Origin.Mirror);
        var command = LogEntry.NewCommand(mirrorLog, Origin.Mirror, new HlcTimestamp(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0), "attacker", ["rm", "-rf", "/"],
            DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds());
        var forgedKey = RandomNumberGenerator.GetBytes(32);
        yield return new ExecRequest(["rm", "-rf", "/"], "attacker");
        yield return new CommandRecorderMessages.AppendMirrorEntries([command]);
        yield return new CommandRecorderMessages.RecordCommand(["rm", "-rf", "/"], "attacker");
        yield return SyncSessionRequest.Instance;
        yield return LogHolderMessages.GetView.Instance;
        yield return LogHolderMessages.GetState.Instance;
        yield return new LogHolderMessages.ReadLog(Origin.Device, 1, 100);
        yield return new SyncView(LogPosition.Empty(device, Origin.Device), mirrorLog, ApplicationState.Empty.Digest());
        yield return HeartbeatAuthenticator.Sign(new HeartbeatAck(device, HeartbeatAction.Sync, "attacker-session", mirrorLog, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            "", "any-nonce", ""), forgedKey);
        yield return HeartbeatAuthenticator.Sign(new HeartbeatAck(device, HeartbeatAction.Refused, "", mirrorLog, 0, HeartbeatAck.ClockSkew, "any-nonce", ""), forgedKey);
        yield return HeartbeatAuthenticator.Sign(new SessionAbandoned(device, "attacker-session", "attacker", ""), forgedKey);
        yield return new HeartbeatSenderMessages.SendHeartbeat(TimeSpan.FromSeconds(1), null);
    }

    /// <summary>What an attack must not change: the device's logs (lengths, heads) and state digest, and its state, through our codec.</summary>
    private async Task<byte[]> Observable()
    {
        var view = await Recorder.Ask<SyncView>(LogHolderMessages.GetView.Instance, RunningMirror.Timeout);
        var state = await Recorder.Ask<object>(LogHolderMessages.GetState.Instance, RunningMirror.Timeout);
        return [.. IoTSyncCodec.Encode(view), .. IoTSyncCodec.Encode(state)];
    }

    private async Task<long> WindowsAnswered() =>
        (await _mirror.Journals.Ask<StateJournalState>(new StateJournalMessages.GetJournalState(RunningMirror.Device), RunningMirror.Timeout)).History.WindowCount;

    private Task MirrorAnswered(long windows) =>
        Polling.Until(async () => await WindowsAnswered() >= windows, RunningMirror.Timeout + RunningMirror.Timeout, $"{windows} windows answered by the mirror");

    private static IEnumerable<IPAddress> NetworkAddresses() =>
        System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces().SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(u => u.Address);
}
