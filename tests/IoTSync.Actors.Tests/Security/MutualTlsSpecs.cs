using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Security;
using Xunit;

namespace IoTSync.Tests.Security;

/// <summary>
/// The mirror's Akka.Remote over mutual TLS against the fleet CA, through real TLS associations on
/// loopback: an enrolled device's certificate gets its heartbeats answered; no certificate, another CA's,
/// an expired one, one of a device not enrolled, and a device's certificate used with another device's id
/// get nothing, and change nothing.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MutualTlsSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Unanswered = TimeSpan.FromSeconds(3);
    private static readonly DeviceId Other = new("dev-other");
    private readonly byte[] _otherKey = RandomNumberGenerator.GetBytes(32);
    private RunningMirror _mirror = null!;

    public async Task InitializeAsync()
    {
        _mirror = await RunningMirror.Start(tls: true);
        await _mirror.Enrol(Other, _otherKey);
    }

    public Task DisposeAsync() => _mirror.DisposeAsync().AsTask();

    private TestFleet Fleet => _mirror.Fleet!;

    [Fact]
    public async Task Should_answer_an_enrolled_device_over_mutual_tls()
    {
        await using var device = new Attacker("device", Fleet.Device(RunningMirror.Device));

        Assert.True(await Answered(device, () => RunningMirror.SignedHeartbeat(RunningMirror.Device, _mirror.Key), RunningMirror.Timeout));
        Assert.StartsWith("akka.ssl.tcp://", _mirror.EdgeAddress.ToString());
    }

    [Fact]
    public async Task Should_refuse_a_certificate_of_another_ca_and_change_nothing()
    {
        using var otherCa = FleetCa.Create(TimeSpan.FromDays(30), DateTimeOffset.UtcNow);
        await Refused(Fleet.Device(RunningMirror.Device, ca: otherCa), RunningMirror.Device, _mirror.Key);
    }

    [Fact]
    public async Task Should_refuse_an_expired_certificate_and_change_nothing()
    {
        var expired = Fleet.Device(RunningMirror.Device, issuedAt: DateTimeOffset.UtcNow.AddDays(-10), validity: TimeSpan.FromDays(1));
        Assert.True(expired.NotAfter < DateTime.Now);
        await Refused(expired, RunningMirror.Device, _mirror.Key);
    }

    [Fact]
    public async Task Should_refuse_the_certificate_of_a_device_that_is_not_enrolled_and_change_nothing()
    {
        // A stranger with a certificate from the right CA, its heartbeat signed with the enrolled device's key.
        await Refused(Fleet.Device(new DeviceId("dev-stranger")), RunningMirror.Device, _mirror.Key);
    }

    [Fact]
    public async Task Should_refuse_device_As_certificate_and_key_used_with_device_Bs_id_and_change_nothing()
    {
        // Device A's certificate passes TLS; the heartbeat names device B but carries A's MAC key: the MAC binds it to its id.
        var before = await _mirror.Observable();
        var beforeOther = await OtherState();
        await using var deviceA = new Attacker("device-a", Fleet.Device(RunningMirror.Device));
        Assert.True(await Answered(deviceA, () => RunningMirror.SignedHeartbeat(RunningMirror.Device, _mirror.Key), RunningMirror.Timeout));

        Assert.False(await Answered(deviceA, () => RunningMirror.SignedHeartbeat(Other, _mirror.Key), Unanswered));

        Assert.Equal(beforeOther, await OtherState());
        Assert.Equal(before, await _mirror.Observable());
    }

    [Fact]
    public async Task Should_refuse_a_tls_client_without_a_certificate_and_change_nothing()
    {
        var before = await _mirror.Observable();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_mirror.EdgeAddress.Host!, _mirror.EdgeAddress.Port!.Value);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);

        var refused = await Record.ExceptionAsync(async () =>
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "mirror" });
            // TLS 1.3 may finish the client's side before the server judges it: the server's refusal then ends the stream.
            var buffer = new byte[1];
            if (await tls.ReadAsync(buffer).AsTask().WaitAsync(RunningMirror.Timeout) == 0)
                throw new IOException("closed by the mirror");
        });

        Assert.NotNull(refused);
        await StillServing();
        Assert.Equal(before, await _mirror.Observable());
    }

    /// <summary>A peer with <paramref name="certificate"/> gets no answer to a heartbeat; the mirror changed nothing and still serves its devices.</summary>
    private async Task Refused(X509Certificate2 certificate, DeviceId device, byte[] key)
    {
        var before = await _mirror.Observable();
        await using (var peer = new Attacker("refused-peer", certificate))
            Assert.False(await Answered(peer, () => RunningMirror.SignedHeartbeat(device, key), Unanswered));
        await StillServing();
        Assert.Equal(before, await _mirror.Observable());
    }

    /// <summary>The enrolled device, with its own certificate, is answered — after the attack as before it. It changes only the window history.</summary>
    private async Task StillServing()
    {
        await using var device = new Attacker("device-after", Fleet.Device(RunningMirror.Device));
        Assert.True(await Answered(device, () => RunningMirror.SignedHeartbeat(RunningMirror.Device, _mirror.Key), RunningMirror.Timeout));
    }

    /// <summary>Sends a fresh <paramref name="heartbeat"/> by direct reference to the listener (again while unanswered); whether an ack came within <paramref name="within"/>.</summary>
    private async Task<bool> Answered(Attacker peer, Func<Heartbeat> heartbeat, TimeSpan within)
    {
        var probe = peer.NewProbe();
        var listener = peer.Resolve(_mirror.EdgeAddress, $"/user/{HeartbeatListener.Name}");
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline && !peer.Terminated)
        {
            listener.Tell(heartbeat(), probe.Ref);
            if (await probe.ReceiveOneAsync(TimeSpan.FromMilliseconds(500)) is HeartbeatAck)
                return true;
        }
        return false;
    }

    private Task<StateJournalState> OtherState() =>
        _mirror.Journals.Ask<StateJournalState>(new StateJournalMessages.GetJournalState(Other), RunningMirror.Timeout);
}
