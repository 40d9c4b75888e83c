using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Akka.Actor;
using IoTSync.Control;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Resources;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Security;
using IoTSync.Tests.Nodes;
using Xunit;

namespace IoTSync.Tests.Security;

/// <summary>
/// One running pair for the whole bad-input suite: the real mirror node and device node processes over
/// mutual TLS, the device's real sshd with the relay forced for the mirror's key, two commands synced so
/// both logs hold entries. Beside them, the attacker's kit: the fleet CA (to issue certificates as a
/// stolen CA key or an enrolled device would hold them), a second real sshd whose forced relay leads to a
/// <see cref="FakeDeviceEndpoint"/> (a compromised device the mirror syncs with), and the devices enrolled
/// for it: one to attack with batches, two synced honestly first (to fork and to shrink), one with a wrong
/// pinned host key, one with an SSH user its sshd refuses, one disabled, one to flood.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BadInputPair : IAsyncLifetime
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static readonly DeviceId Batches = new("dev-batches");
    public static readonly DeviceId Forked = new("dev-forked");
    public static readonly DeviceId Shrunk = new("dev-shrunk");
    public static readonly DeviceId WrongHostKey = new("dev-wrong-host-key");
    public static readonly DeviceId WrongUser = new("dev-wrong-user");
    public static readonly DeviceId Disabled = new("dev-disabled");
    public static readonly DeviceId Flooded = new("dev-flooded");

    private readonly Dictionary<DeviceId, byte[]> _keys = new();
    private readonly Dictionary<DeviceId, TestLog> _honest = new();
    private Attacker? _asDevice;
    private Attacker? _asFake;

    public NodeRig Rig { get; private set; } = null!;

    public Deployment Deployment => Rig.Deployment;

    internal TestFleet Fleet { get; private set; } = null!;

    public PrivateSshd FakeSshd { get; private set; } = null!;

    public FakeDeviceEndpoint Fake { get; private set; } = null!;

    /// <summary>The real device's id and heartbeat key.</summary>
    public DeviceId Device => new(Deployment.DeviceId);

    public byte[] DeviceKey { get; private set; } = [];

    /// <summary>The mirror's edge as a device dials it.</summary>
    public Address MirrorEdge => new("akka.ssl.tcp", "iotsync-mirror", "127.0.0.1", Deployment.MirrorPort);

    /// <summary>An attacker holding the real device's certificate (a stolen device).</summary>
    internal Attacker AsDevice => _asDevice ??= new Attacker("stolen-device", Fleet.Device(Device));

    /// <summary>An attacker holding the batch device's certificate: it speaks for the fake devices.</summary>
    internal Attacker AsFake => _asFake ??= new Attacker("fake-device", Fleet.Device(Batches));

    public byte[] KeyOf(DeviceId device) => device == Device ? DeviceKey : _keys[device];

    /// <summary>The honest chain a fake device synced first (<see cref="Forked"/>, <see cref="Shrunk"/>).</summary>
    public TestLog Honest(DeviceId device) => _honest[device];

    public async Task InitializeAsync()
    {
        // Windows every 4 s; a window whose heartbeats go unanswered stays open up to 3.5 s, so the SSH
        // channel can be attacked inside one while the mirror is frozen.
        Rig = await NodeRig.Create(new DeploymentOptions
        {
            Period = TimeSpan.FromSeconds(4), WindowLimit = TimeSpan.FromMilliseconds(3500), HeartbeatGiveUpAfter = TimeSpan.FromMilliseconds(3500),
        });
        await Deployment.StartAll();
        foreach (var word in new[] { "one", "two" })
            await Rig.AwaitResult(await Rig.LeaveAtMirror(["echo", word]));
        await Rig.AwaitConverged();
        DeviceKey = Convert.FromHexString((await File.ReadAllTextAsync(Deployment.DeviceHeartbeatKey)).Trim());
        var mirrorDirectory = Path.Combine(Rig.Directory, "mirror");
        Fleet = new TestFleet(FleetCa.Load(Path.Combine(mirrorDirectory, "fleet-ca.crt"), Path.Combine(mirrorDirectory, "fleet-ca.key")));

        Fake = new FakeDeviceEndpoint(Path.Combine(Rig.Directory, "fake.sock"));
        FakeSshd = await PrivateSshd.Start(new SshdOptions { Directory = Path.Combine(Rig.Directory, "fake-ssh"), LogLevel = "VERBOSE" });
        var (relay, arguments) = Deployment.Binaries.SyncEndpoint(Fake.Path, Deployment.Options.WindowLimit);
        var forced = string.Join(' ', [relay, .. arguments]);
        string? line = null;
        foreach (var device in new[] { Batches, Forked, Shrunk, WrongHostKey, WrongUser, Disabled, Flooded })
        {
            _keys[device] = RandomNumberGenerator.GetBytes(32);
            var hostKey = device == WrongHostKey ? "SHA256:" + new string('A', 43) : FakeSshd.HostKey.Value;
            var user = device == WrongUser ? "iotsync-nobody" : PrivateSshd.User;
            using var api = MirrorApiClient.ForSocket(Deployment.MirrorSocket);
            var enrolled = await api.Enrol(new EnrolRequest(device.Value, "127.0.0.1", FakeSshd.Port, user, hostKey, Convert.ToHexStringLower(_keys[device]),
                From: "127.0.0.1", DeviceCommand: forced));
            line = enrolled.AuthorizedKeys;
        }
        await File.WriteAllTextAsync(FakeSshd.AuthorizedKeysFile, line + "\n");
        using (var api = MirrorApiClient.ForSocket(Deployment.MirrorSocket))
            await api.SetDisabled(Disabled.Value, true);

        // Two fake devices sync honestly first, so the mirror holds entries of theirs to contradict.
        foreach (var (device, length) in new[] { (Forked, 2), (Shrunk, 3) })
        {
            var log = new TestLog(device, Origin.Device).Commands(length);
            _honest[device] = log;
            Fake.Script(device, Answering(log.Position, log.Entries));
            Assert.Equal(HeartbeatAction.Sync, (await Heartbeat(AsFake, device, deviceLog: log.Position)).Action);
            await Polling.Until(async () => (await MirrorState(device)).View.DeviceLog == log.Position, Deadline, $"{device}'s honest entries at the mirror");
        }
    }

    /// <summary>
    /// A device that says it holds <paramref name="claimed"/> and answers every pull with <paramref name="pulled"/>
    /// (the mirror holds none of its entries, so it asks from 1); ends the session at the mirror's done or refusal.
    /// </summary>
    public static Func<ExchangeMessage, ExchangeMessage?> Answering(LogPosition claimed, IReadOnlyList<LogEntry> pulled) => request => request switch
    {
        Hello hello => new Hello(hello.Device, hello.SessionId, hello.Version, new SyncView(claimed, hello.View.MirrorLog, hello.View.StateDigest)),
        PullRequest => new PulledEntries([.. pulled]),
        Done done => new Done(done.View),
        // As the real device does: the mirror's refusal is answered, so its session ends as the mirror's refusal, not a broken channel.
        Refused refused => refused,
        _ => null,
    };

    /// <summary>A heartbeat of <paramref name="device"/> signed with <paramref name="key"/> (its own by default), as sent now.</summary>
    public Heartbeat Beat(DeviceId device, byte[]? key = null, LogPosition? deviceLog = null, long? sentAtUnixMs = null) =>
        HeartbeatAuthenticator.Sign(new Heartbeat(device, deviceLog ?? LogPosition.Empty(device, Origin.Device), LogPosition.Empty(device, Origin.Mirror),
            IoTSync.Model.ApplicationState.Empty.Digest(), sentAtUnixMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 30_000, null,
            HeartbeatAuthenticator.NewNonce(), ""), key ?? KeyOf(device));

    /// <summary>Sends heartbeats of <paramref name="device"/> from <paramref name="attacker"/> until one is answered (the association may still be forming); the answer.</summary>
    internal async Task<HeartbeatAck> Heartbeat(Attacker attacker, DeviceId device, LogPosition? deviceLog = null)
    {
        var listener = attacker.Resolve(MirrorEdge, $"/user/{HeartbeatListener.Name}");
        var probe = attacker.NewProbe();
        using var deadline = new CancellationTokenSource(Deadline);
        while (true)
        {
            listener.Tell(Beat(device, deviceLog: deviceLog), probe.Ref);
            try
            {
                return await probe.ExpectMsgAsync<HeartbeatAck>(TimeSpan.FromSeconds(2), cancellationToken: deadline.Token);
            }
            catch (Exception) when (!deadline.IsCancellationRequested)
            {
                // Not answered yet: a fresh heartbeat (a new nonce).
            }
        }
    }

    /// <summary>The device's logs as the mirror holds them, through its API (what <c>iotsync-mirror state</c> prints).</summary>
    public async Task<MirrorHeld> MirrorState(DeviceId device)
    {
        using var api = MirrorApiClient.ForSocket(Deployment.MirrorSocket);
        return new MirrorHeld((await api.State(device.Value)).View.ToView());
    }

    /// <summary>What the mirror holds of a device, as the specs compare it.</summary>
    public sealed record MirrorHeld(SyncView View);

    public Task<DeviceStatusReply> DeviceStatus() => ControlSocketClient.Status(Deployment.DeviceSocket, CancellationToken.None);

    /// <summary>The node's refusal counters, from its control socket (what <c>iotsync-mirror refusals</c> and <c>iotsync-device status</c> print).</summary>
    public async Task<IReadOnlyDictionary<string, long>> Counters(BadInputNode node) => node switch
    {
        BadInputNode.Mirror => (await MirrorRefusals()).Refusals,
        BadInputNode.Device => (await DeviceStatus()).Refusals.ToDictionary(r => r.Kind, r => r.Count),
        _ => new Dictionary<string, long>(),
    };

    private async Task<RefusalsResource> MirrorRefusals()
    {
        using var api = MirrorApiClient.ForSocket(Deployment.MirrorSocket);
        return await api.Refusals();
    }

    /// <summary>Everything the node printed so far (sshd's log for <see cref="BadInputNode.Sshd"/>).</summary>
    public string Output(BadInputNode node) => node switch
    {
        BadInputNode.Mirror => Deployment.Mirror!.Output,
        BadInputNode.Device => Deployment.Device!.Output,
        BadInputNode.Sshd => Deployment.Sshd.Log,
        BadInputNode.FakeSshd => FakeSshd.Log,
        _ => "",
    };

    /// <summary>
    /// Runs <paramref name="attack"/> inside one of the real device's windows: the mirror is frozen (SIGSTOP)
    /// so the device's heartbeats go unanswered and its window stays open, then thawed.
    /// </summary>
    public async Task<T> InsideAWindow<T>(Func<Task<T>> attack)
    {
        await AwaitDark();
        Deployment.Mirror!.Pause();
        try
        {
            await Polling.Until(async () => (await DeviceStatus()).Cycle.Phase != SyncSessionAdmission.Dark, Deadline, "a window of the real device");
            return await attack();
        }
        finally
        {
            Deployment.Mirror.Resume();
        }
    }

    /// <summary>Waits until the real device has just closed a window: the next is a whole period away.</summary>
    public async Task AwaitDark()
    {
        var closed = WindowClosed().Matches(Deployment.Device!.Output).Count;
        await Deployment.Device.WaitForOutput(WindowClosed(), Deadline, occurrence: closed + 1);
        await Polling.Until(async () => (await DeviceStatus()).Cycle.Phase == SyncSessionAdmission.Dark, Deadline, "the real device dark");
    }

    /// <summary>
    /// <c>ssh</c> to the real device's sshd with <paramref name="key"/> (the mirror's by default), the host key
    /// pinned; <paramref name="input"/> on its stdin, which stays open (as the mirror's channel does) unless
    /// <paramref name="endInput"/>: the relay ends a session when its input ends. Bounded; what it printed and its exit code (null if it had to be killed).
    /// </summary>
    public async Task<CliRun> Ssh(string[] options, string? command = null, string? key = null, string input = "", bool endInput = false)
    {
        var sshd = Deployment.Sshd;
        var knownHosts = Path.Combine(Rig.Directory, "known_hosts");
        await File.WriteAllTextAsync(knownHosts, $"[{sshd.Address}]:{sshd.Port} {await File.ReadAllTextAsync(sshd.PathOf("host_key.pub"))}");
        string[] argv =
        [
            "-F", "/dev/null", "-i", key ?? Path.Combine(Rig.Directory, "mirror", "mirror_ssh_key"), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
            "-o", $"UserKnownHostsFile={knownHosts}", "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=10",
            .. options, "-p", sshd.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{PrivateSshd.User}@{sshd.Address}",
            .. command is null ? Array.Empty<string>() : [command],
        ];
        var start = new System.Diagnostics.ProcessStartInfo("ssh", argv)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var ssh = System.Diagnostics.Process.Start(start)!;
        var stdout = new MemoryStream();
        var copying = ssh.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = ssh.StandardError.ReadToEndAsync();
        await ssh.StandardInput.BaseStream.WriteAsync(System.Text.Encoding.Latin1.GetBytes(input));
        await ssh.StandardInput.BaseStream.FlushAsync();
        if (endInput)
            ssh.StandardInput.Close();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        int exit;
        try
        {
            await ssh.WaitForExitAsync(bound.Token);
            exit = ssh.ExitCode;
        }
        catch (OperationCanceledException)
        {
            ssh.Kill(entireProcessTree: true);
            exit = -1;
        }
        await copying;
        return new CliRun(["ssh", .. argv], exit, System.Text.Encoding.Latin1.GetString(stdout.ToArray()), await stderr);
    }

    public async Task DisposeAsync()
    {
        if (_asDevice is not null)
            await _asDevice.DisposeAsync();
        if (_asFake is not null)
            await _asFake.DisposeAsync();
        if (FakeSshd is not null)
            await FakeSshd.DisposeAsync();
        if (Fake is not null)
            await Fake.DisposeAsync();
        Fleet?.Dispose();
        if (Rig is not null)
            await Rig.DisposeAsync();
    }

    private static Regex WindowClosed() => new(@"window \d+ closed after");
}

/// <summary>Whose log and counters a case is judged by.</summary>
public enum BadInputNode
{
    Mirror,
    Device,

    /// <summary>The real device's sshd (not our process: its own log, no counter of ours).</summary>
    Sshd,

    /// <summary>The fake device's sshd.</summary>
    FakeSshd,
}
