using System.Security.Cryptography;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using IoTSync.Hosting;
using IoTSync.MirrorApi.Server;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static IoTSync.Mirror.DeviceRegistryMessages;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Security;

/// <summary>
/// The mirror node as <c>iotsync-mirror run</c> builds it (<see cref="MirrorNodeRegistration.AddMirrorNode"/>
/// on the shipped mirror.hocon, heartbeat port 0 on loopback), with one device enrolled, and the
/// attacker's view of it: its edge address. Read-backs go to the core in-process, as the control socket does.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class RunningMirror : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    public static readonly DeviceId Device = new("dev-attacked");

    private readonly string _directory;
    private readonly Microsoft.AspNetCore.Builder.WebApplication _host;

    private readonly bool _ownsFleet;

    private RunningMirror(string directory, Microsoft.AspNetCore.Builder.WebApplication host, byte[] key, TestFleet? fleet, bool ownsFleet)
    {
        _directory = directory;
        _host = host;
        Key = key;
        Fleet = fleet;
        _ownsFleet = ownsFleet;
    }

    /// <summary>The fleet whose CA the mirror trusts, when it runs TLS.</summary>
    public TestFleet? Fleet { get; }

    /// <summary>The enrolled device's heartbeat key.</summary>
    public byte[] Key { get; }

    public string KeyHex => Convert.ToHexString(Key).ToLowerInvariant();

    /// <summary>The edge's address: where devices, and an attacker, reach the mirror.</summary>
    public Address EdgeAddress => _host.Services.GetRequiredService<EdgeSystem>().Address;

    public IActorRef Registry => _host.Services.GetRequiredService<ActorRegistry>().Get<MirrorNodeActors.Registry>();

    /// <summary>The node's refusal counters (the same object its control socket reports).</summary>
    public IoTSync.Security.Refusals Refusals => _host.Services.GetRequiredService<MirrorNodeParts>().Refusals;

    public IServiceProvider Services => _host.Services;

    /// <summary>The HTTP API's TCP addresses as bound (none unless <c>iotsync.mirror.http.listen</c> was given).</summary>
    public IReadOnlyList<Uri> ApiAddresses => [.. MirrorWebHost.TcpAddresses(_host)];

    public IActorRef Journals => _host.Services.GetRequiredService<ActorRegistry>().Get<MirrorNodeActors.Journals>();

    public string ControlSocket => Path.Combine(_directory, "mirror.sock");

    /// <summary>Where the node keeps its database, keys and socket.</summary>
    public string StateDirectory => _directory;

    /// <summary>
    /// The mirror, over mutual TLS against <paramref name="fleet"/> (a fresh one when not given) when
    /// <paramref name="tls"/>, else in plaintext; on <paramref name="port"/> (a free one when 0), with the
    /// device enrolled with <paramref name="key"/> (a fresh one when not given), honouring what a rotation
    /// replaced for <paramref name="rotationOverlap"/> (the shipped hour when not given).
    /// </summary>
    public static async Task<RunningMirror> Start(bool tls = true, TestFleet? fleet = null, int port = 0, byte[]? key = null, TimeSpan? rotationOverlap = null,
        string extraConfig = "")
    {
        var directory = Directory.CreateTempSubdirectory("iotsync-attacked-").FullName;
        var ownsFleet = tls && fleet is null;
        fleet = tls ? fleet ?? new TestFleet() : null;
        var config = ConfigurationFactory.ParseString((fleet?.MirrorFiles(directory) ?? "iotsync.tls.enabled = off\n") + $$"""
            akka.remote.dot-netty.tcp.port = {{port}}
            iotsync.mirror.rotation-overlap = {{(long)(rotationOverlap ?? TimeSpan.FromHours(1)).TotalMilliseconds}}ms
            iotsync.mirror.control-socket = "{{directory}}/mirror.sock"
            iotsync.mirror.ssh.private-key = "{{directory}}/mirror_ssh_key"
            iotsync.persistence.database-path = "{{directory}}/mirror.db"
            akka.loglevel = WARNING
            akka.stdout-loglevel = WARNING
            {{extraConfig}}
            """).WithFallback(IoTSyncSystem.LoadNodeConfig(Path.Combine(AppContext.BaseDirectory, "hocon", "mirror.hocon")));
        var host = await MirrorWebHost.Build(config, MirrorNodeParts.FromConfig(config));
        using var deadline = new CancellationTokenSource(Timeout);
        await host.StartAsync(deadline.Token);
        var mirror = new RunningMirror(directory, host, key ?? RandomNumberGenerator.GetBytes(32), fleet, ownsFleet);
        await mirror.Registry.Ask<Enrolled>(new Enrol(new EnrolledDevice(Device, "127.0.0.1", 2222, "iotsync",
            "SHA256:" + new string('A', 43), mirror.KeyHex, 1_700_000_000_000)), Timeout);
        return mirror;
    }

    /// <summary>A heartbeat from the enrolled device, signed with its key, sent now.</summary>
    public Heartbeat SignedHeartbeat() => SignedHeartbeat(Device, Key);

    /// <summary>
    /// What an attack must not change, as bytes through our codec: the registry's listing, and the device's
    /// StateJournal state but for its window history (every answered heartbeat adds a window to it).
    /// </summary>
    /// <summary>Enrols another device with <paramref name="key"/>.</summary>
    public Task Enrol(DeviceId device, byte[] key) =>
        Registry.Ask<Enrolled>(new Enrol(new EnrolledDevice(device, "127.0.0.1", 2222, "iotsync", "SHA256:" + new string('C', 43),
            Convert.ToHexString(key).ToLowerInvariant(), 1_700_000_000_000)), Timeout);

    /// <summary>A heartbeat from <paramref name="device"/> signed with <paramref name="key"/>, sent now.</summary>
    public static Heartbeat SignedHeartbeat(DeviceId device, byte[] key) => HeartbeatAuthenticator.Sign(new Heartbeat(device, LogPosition.Empty(device, Origin.Device),
        LogPosition.Empty(device, Origin.Mirror), ApplicationState.Empty.Digest(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 30_000, null,
        HeartbeatAuthenticator.NewNonce(), ""), key);

    public async Task<byte[]> Observable()
    {
        var listing = await Registry.Ask<Devices>(ListDevices.Instance, Timeout);
        var state = await Journals.Ask<StateJournalState>(new GetJournalState(Device), Timeout);
        return [.. IoTSyncCodec.Encode(listing), .. IoTSyncCodec.Encode(state with { Windows = null })];
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        await _host.DisposeAsync();
        foreach (var database in Directory.GetFiles(_directory, "*.db"))
            IoTSync.Persistence.SqlitePersistence.ClearPool(database);
        Directory.Delete(_directory, recursive: true);
        if (_ownsFleet)
            Fleet?.Dispose();
    }
}
