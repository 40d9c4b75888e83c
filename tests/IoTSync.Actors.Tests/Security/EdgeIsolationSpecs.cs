using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using IoTSync.Control;
using IoTSync.Mirror;
using IoTSync.MirrorApi.Client;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Serialization;
using Xunit;
using static IoTSync.Mirror.DeviceRegistryMessages;
using static IoTSync.Mirror.SshReplicatorMessages;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Security;

/// <summary>
/// The mirror as <c>iotsync-mirror run</c> builds it, attacked through a real mutual-TLS Akka.Remote
/// association on loopback by a peer holding a valid device certificate: only the heartbeat listener can
/// be reached, no frame can make it build a type of the peer's choosing, and no listing carries a heartbeat key.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EdgeIsolationSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    private RunningMirror _mirror = null!;
    private Attacker _attacker = null!;

    /// <summary>Every path the mirror's actors had or have, the system's own actors, and the guardians.</summary>
    public static TheoryData<string> Paths => new()
    {
        "/user/registry", "/user/devices", "/user/replicator", "/user/late-watch", "/user/devices/dev-attacked",
        "/system/deadLetterListener", "/system/remote-watcher", "/system/endpointManager", "/system/transports",
        "/system/akka.persistence.journal.sql", "/user", "/system", "/",
    };

    public async Task InitializeAsync()
    {
        _mirror = await RunningMirror.Start();
        // The strongest network attacker: it holds the enrolled device's certificate.
        _attacker = new Attacker(certificate: _mirror.Fleet!.Device(RunningMirror.Device));
    }

    public async Task DisposeAsync()
    {
        await _attacker.DisposeAsync();
        await _mirror.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Should_let_no_message_sent_by_direct_reference_reach_any_actor_but_the_listener(string path)
    {
        await Answered();
        var before = await _mirror.Observable();
        var target = _attacker.Resolve(_mirror.EdgeAddress, path);
        var heartbeat = _mirror.SignedHeartbeat();

        foreach (var message in Attacks(heartbeat))
            target.Tell(message, _attacker.Probe.Ref);
        // One association delivers in order: once a later heartbeat is answered, the edge has dealt with every attack.
        await Answered();

        _attacker.Probe.ExpectNoMsg(Quiet);
        Assert.Equal(before, await _mirror.Observable());
        Assert.Equal("127.0.0.1", (await Listing()).SshHost);
    }

    [Fact]
    public async Task Should_ignore_anything_but_a_heartbeat_and_any_stop_sent_to_the_listener_itself()
    {
        var answered = await Answered();
        var before = await _mirror.Observable();
        var listener = _attacker.Resolve(_mirror.EdgeAddress, $"/user/{HeartbeatListener.Name}");

        foreach (var message in Attacks(_mirror.SignedHeartbeat()).Where(m => m is not Heartbeat))
            listener.Tell(message, _attacker.Probe.Ref);
        listener.Tell(PoisonPill.Instance);
        // Untrusted mode does not drop a remote Kill (Akka.NET's Kill is not IPossiblyHarmful): the edge's guardian resumes the listener.
        listener.Tell(Kill.Instance);
        // The listener kept its nonces through the kill: a heartbeat it answered before is still a replay.
        listener.Tell(answered, _attacker.Probe.Ref);
        await Answered();

        _attacker.Probe.ExpectNoMsg(Quiet);
        Assert.Equal(before, await _mirror.Observable());
    }

    [Fact]
    public async Task Should_construct_nothing_from_a_frame_naming_the_json_serializer_and_a_canary_type()
    {
        await Answered();
        var before = await _mirror.Observable();
        var canary = new Canary();
        var constructed = Canary.Constructed;

        foreach (var path in new[] { $"/user/{HeartbeatListener.Name}", "/user/registry", "/system/deadLetterListener" })
            _attacker.Resolve(_mirror.EdgeAddress, path).Tell(canary, _attacker.Probe.Ref);
        await Answered();

        Assert.Equal(constructed, Canary.Constructed);
        Assert.Equal(before, await _mirror.Observable());
    }

    [Fact]
    public async Task Should_show_the_canary_spec_can_see_a_construction_on_a_system_with_akkas_defaults()
    {
        // The negative control: the same frame to a remote system on Akka's defaults builds the canary.
        var unhardened = ActorSystem.Create("unhardened", ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            akka.loglevel = WARNING
            """));
        try
        {
            unhardened.ActorOf(Props.Create(() => new Sink()), "sink");
            await using var plain = new Attacker("plain-attacker");
            var canary = new Canary();
            var constructed = Canary.Constructed;

            plain.Resolve(((ExtendedActorSystem)unhardened).Provider.DefaultAddress, "/user/sink").Tell(canary);

            await Polling.Until(() => Task.FromResult(Canary.Constructed > constructed), RunningMirror.Timeout, "the canary built by Akka's defaults");
        }
        finally
        {
            await unhardened.Terminate();
        }
    }

    [Fact]
    public async Task Should_never_carry_a_heartbeat_key_in_a_listing_or_an_enrolment_reply()
    {
        var listing = await _mirror.Registry.Ask<Devices>(ListDevices.Instance, RunningMirror.Timeout);
        var enrolled = await _mirror.Registry.Ask<Enrolled>(new Enrol(new EnrolledDevice(new DeviceId("dev-second"), "127.0.0.1", 2222, "iotsync",
            "SHA256:" + new string('B', 43), new string('5', 64), 0)), RunningMirror.Timeout);
        using var api = MirrorApiClient.ForSocket(_mirror.ControlSocket);
        var fleet = await api.Devices();
        var fleetJson = System.Text.Json.JsonSerializer.Serialize(fleet, MirrorApi.ApiJson.Options);

        Assert.Equal(2, fleet.Devices.Count);
        Assert.DoesNotContain(_mirror.KeyHex, fleetJson, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(new string('5', 64), fleetJson);
        foreach (var reply in new object[] { listing, enrolled })
        {
            var wire = System.Text.Encoding.UTF8.GetString(IoTSyncCodec.Encode(reply));
            Assert.DoesNotContain(_mirror.KeyHex, wire, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(new string('5', 64), wire);
            Assert.DoesNotContain(_mirror.KeyHex, reply.ToString()!, StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>What an attacker would send: read the keys, re-point the device, leave it a command, mark it diverged, start a session.</summary>
    private static IEnumerable<object> Attacks(Heartbeat heartbeat)
    {
        var device = RunningMirror.Device;
        yield return ListDevices.Instance;
        yield return new Enrol(new EnrolledDevice(device, "203.0.113.9", 22, "attacker", "SHA256:" + new string('Z', 43), new string('6', 64), 0));
        yield return new SubmitCommand(device, ["rm", "-rf", "/"], "attacker", null);
        yield return new MarkDiverged(device, IoTSync.Logs.Origin.Device, IoTSync.Logs.Verdict.Fork, 1, "attacker");
        yield return new GetJournalState(device);
        yield return new SyncRequested(device, "attacker-session", heartbeat);
        yield return heartbeat;
    }

    /// <summary>A fresh heartbeat from the enrolled device, by direct reference to the listener, answered (retried until the deadline).</summary>
    private async Task<Heartbeat> Answered()
    {
        var probe = _attacker.NewProbe();
        var listener = _attacker.Resolve(_mirror.EdgeAddress, $"/user/{HeartbeatListener.Name}");
        using var deadline = new CancellationTokenSource(RunningMirror.Timeout);
        while (true)
        {
            var heartbeat = _mirror.SignedHeartbeat();
            listener.Tell(heartbeat, probe.Ref);
            try
            {
                var ack = await probe.ExpectMsgAsync<HeartbeatAck>(TimeSpan.FromMilliseconds(500), cancellationToken: deadline.Token);
                Assert.Equal(heartbeat.Nonce, ack.HeartbeatNonce);
                Assert.True(HeartbeatAuthenticator.HasValidMac(ack, _mirror.Key));
                return heartbeat;
            }
            catch (Exception) when (!deadline.IsCancellationRequested)
            {
                // Not answered yet (the association may still be forming): send a fresh one.
            }
        }
    }

    private async Task<DeviceListing> Listing() =>
        (await _mirror.Registry.Ask<Devices>(ListDevices.Instance, RunningMirror.Timeout)).All.Single(d => d.Device == RunningMirror.Device);

    private sealed class Sink : ReceiveActor
    {
        public Sink() => ReceiveAny(_ => { });
    }
}
