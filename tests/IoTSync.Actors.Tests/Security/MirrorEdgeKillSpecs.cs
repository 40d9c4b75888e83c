using IoTSync.Mirror;
using IoTSync.Protocol;
using Xunit;
using Akka.Actor;

namespace IoTSync.Tests.Security;

/// <summary>
/// A remote <see cref="Kill"/> to the mirror's edge, through a real mutual-TLS association from a peer with
/// a valid device certificate: untrusted mode delivers it, and to the edge's transports or endpoint manager
/// it ended the mirror's remoting for every device. The edge refuses to read one; devices stay answered.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MirrorEdgeKillSpecs : IAsyncLifetime
{
    private RunningMirror _mirror = null!;

    public async Task InitializeAsync() => _mirror = await RunningMirror.Start();

    public Task DisposeAsync() => _mirror.DisposeAsync().AsTask();

    [Theory]
    [InlineData("/system/transports")]
    [InlineData("/system/endpointManager")]
    [InlineData("/system/remote-watcher")]
    [InlineData("/user/heartbeat")]
    public async Task Should_keep_answering_devices_when_a_peer_sends_a_kill_to_one_of_the_edges_actors(string path)
    {
        await using (var attacker = new Attacker("killer", _mirror.Fleet!.Device(RunningMirror.Device)))
        {
            Assert.True(await Answered(attacker));
            attacker.Resolve(_mirror.EdgeAddress, path).Tell(Kill.Instance);
            // The same association after the kill, and a device associating anew.
            Assert.True(await Answered(attacker));
        }
        await using var device = new Attacker("device-after", _mirror.Fleet!.Device(RunningMirror.Device));
        Assert.True(await Answered(device));
    }

    /// <summary>A fresh heartbeat from the enrolled device, by direct reference to the listener, answered within the deadline (sent again while unanswered).</summary>
    private async Task<bool> Answered(Attacker peer)
    {
        var probe = peer.NewProbe();
        var listener = peer.Resolve(_mirror.EdgeAddress, $"/user/{HeartbeatListener.Name}");
        var deadline = DateTime.UtcNow + RunningMirror.Timeout;
        while (DateTime.UtcNow < deadline && !peer.Terminated)
        {
            listener.Tell(_mirror.SignedHeartbeat(), probe.Ref);
            if (await probe.ReceiveOneAsync(TimeSpan.FromMilliseconds(500)) is HeartbeatAck)
                return true;
        }
        return false;
    }
}
