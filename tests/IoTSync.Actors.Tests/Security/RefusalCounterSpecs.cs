using IoTSync.Mirror;
using IoTSync.MirrorApi.Client;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Security;
using Xunit;

namespace IoTSync.Tests.Security;

/// <summary>
/// The mirror's refusal counters through the real thing: the mirror as <c>iotsync-mirror run</c> builds it,
/// attacked over mutual-TLS Akka.Remote on loopback; each refusal goes up in the node's one counter set,
/// which its control socket reports.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RefusalCounterSpecs : IAsyncLifetime
{
    private RunningMirror _mirror = null!;

    public async Task InitializeAsync() => _mirror = await RunningMirror.Start();

    public Task DisposeAsync() => _mirror.DisposeAsync().AsTask();

    [Fact]
    public async Task Should_count_a_forged_heartbeat_as_a_bad_mac_and_report_it_on_the_control_socket()
    {
        await using var device = new Attacker("device", _mirror.Fleet!.Device(RunningMirror.Device));
        var listener = device.Resolve(_mirror.EdgeAddress, $"/user/{HeartbeatListener.Name}");
        var forged = RunningMirror.SignedHeartbeat(RunningMirror.Device, new byte[32]);

        // Sent until one arrives: the first may go while the association is still forming.
        await Polling.Until(() =>
        {
            listener.Tell(forged with { Nonce = HeartbeatAuthenticator.NewNonce() }, device.Probe.Ref);
            return Task.FromResult(_mirror.Refusals.Of(Refusals.HeartbeatBadMac) > 0);
        }, RunningMirror.Timeout, "the forged heartbeat counted");

        using var api = MirrorApiClient.ForSocket(_mirror.ControlSocket);
        var reply = await api.Refusals();
        Assert.True(reply.Refusals.GetValueOrDefault(Refusals.HeartbeatBadMac) >= 1);
        Assert.Equal(0, _mirror.Refusals.Of(Refusals.HeartbeatReplayed));
    }

    [Fact]
    public async Task Should_count_a_message_to_an_actor_the_edge_does_not_have_as_dropped()
    {
        await using var device = new Attacker("device", _mirror.Fleet!.Device(RunningMirror.Device));
        var registry = device.Resolve(_mirror.EdgeAddress, "/user/registry");

        await Polling.Until(() =>
        {
            registry.Tell(DeviceRegistryMessages.ListDevices.Instance, device.Probe.Ref);
            return Task.FromResult(_mirror.Refusals.Of(Refusals.RemoteMessageDropped) > 0);
        }, RunningMirror.Timeout, "the message to /user/registry counted as dropped");
        device.Probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Should_count_a_certificate_of_another_ca_as_a_tls_refusal()
    {
        using var otherCa = FleetCa.Create(TimeSpan.FromDays(30), DateTimeOffset.UtcNow);
        await using var stranger = new Attacker("stranger", _mirror.Fleet!.Device(RunningMirror.Device, ca: otherCa));
        var listener = stranger.Resolve(_mirror.EdgeAddress, $"/user/{HeartbeatListener.Name}");

        await Polling.Until(() =>
        {
            if (!stranger.Terminated)
                listener.Tell(_mirror.SignedHeartbeat(), stranger.Probe.Ref);
            return Task.FromResult(_mirror.Refusals.Of(Refusals.TlsRefused) > 0);
        }, RunningMirror.Timeout, "the handshake refused and counted");
        Assert.Equal(0, _mirror.Refusals.Of(Refusals.HeartbeatBadMac));
    }
}
