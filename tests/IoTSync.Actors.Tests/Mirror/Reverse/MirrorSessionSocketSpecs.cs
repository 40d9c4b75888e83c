using System.Net.Sockets;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Mirror.Reverse;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Security;
using Xunit;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.Tests.Mirror.Reverse;

/// <summary>
/// The mirror's session socket with real Unix sockets, the test playing the relay (and the device behind
/// it): which arrivals it refuses and counts, and how a wanted one meets the replicator's opener for its id.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MirrorSessionSocketSpecs : IAsyncLifetime
{
    private const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    private static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("iotsync-session-").FullName;
    private readonly DeviceKeyCache _devices = new();
    private readonly SessionRendezvous<ReverseArrival> _rendezvous = new();
    private readonly Refusals _refusals = new();
    private MirrorSessionSocket _socket = null!;

    private string SocketPath => Path.Combine(_directory, "run", "session.sock");

    public async Task InitializeAsync()
    {
        var state = RegistryState.Empty;
        foreach (var device in new[]
                 {
                     Reverse("dev-rev"), Reverse("dev-other"), Reverse("dev-off") with { Disabled = true },
                     new EnrolledDevice(new DeviceId("dev-dir"), "127.0.0.1", 22, "iotsync", "SHA256:" + new string('A', 43), new string('1', 64), 0),
                 })
            state = state.Apply(new DeviceEnrolled(device));
        _devices.Replace(state);
        _socket = await MirrorSessionSocket.Start(SocketPath, "", _devices, _rendezvous, Hold, Akka.Event.NoLogger.Instance, _refusals);
    }

    private static EnrolledDevice Reverse(string id) =>
        new(new DeviceId(id), "", 0, "", "", new string('7', 64), 0, Mode: SessionMode.Reverse, DeviceSshKey: Key);

    [Theory]
    [InlineData("dev-none", Refusals.DeviceUnknown)]
    [InlineData("dev-off", Refusals.DeviceDisabled)]
    [InlineData("dev-dir", Refusals.ReverseArrivalRefused)]
    [InlineData("dev-rev", Refusals.ReverseArrivalRefused)]
    public async Task Should_close_and_count_an_arrival_for_a_device_that_may_not_or_need_not_arrive(string device, string counter)
    {
        using var relay = await Arrive(device);

        Assert.Equal(0, await relay.ReadAsync(new byte[16]).AsTask().WaitAsync(Deadline));
        Assert.Equal(1, _refusals.Of(counter));
        Assert.Equal((0, 0), _rendezvous.Counts);
    }

    [Fact]
    public async Task Should_refuse_a_connection_that_does_not_announce_a_device()
    {
        using var relay = await Connect();
        await FrameCodec.Write(relay, new Control.ControlError("not an arrival"), CancellationToken.None);

        Assert.Equal(0, await relay.ReadAsync(new byte[16]).AsTask().WaitAsync(Deadline));
        Assert.Equal(1, _refusals.Of(Refusals.FrameMalformed));
    }

    [Fact]
    public async Task Should_give_a_wanted_arrival_to_the_opener_for_its_own_id_and_carry_the_exchange_until_the_session_ends()
    {
        var opener = new ReverseSessionOpener(_rendezvous, Deadline);
        var listing = _devices.Find(new DeviceId("dev-rev"))!;
        var opening = opener.Open(listing, CancellationToken.None);
        var other = opener.Open(_devices.Find(new DeviceId("dev-other"))!, CancellationToken.None);
        using var relay = await Arrive("dev-rev");

        await using var session = await opening.WaitAsync(Deadline);
        var view = LogPair.Empty(listing.Device).View;
        var asked = session.Channel.Send(new Hello(listing.Device, "s-1", ExchangeMessage.ProtocolVersion, view), CancellationToken.None);
        var request = await FrameCodec.Read(relay, FrameCodec.DefaultMaxFrameBytes, CancellationToken.None).WaitAsync(Deadline);
        await FrameCodec.Write(relay, new Hello(listing.Device, "s-1", ExchangeMessage.ProtocolVersion, view), CancellationToken.None);

        Assert.Equal("s-1", Assert.IsType<Hello>(request).SessionId);
        Assert.IsType<Hello>(await asked.WaitAsync(Deadline));
        Assert.False(other.IsCompleted);
        await session.DisposeAsync();
        Assert.Equal(0, await relay.ReadAsync(new byte[16]).AsTask().WaitAsync(Deadline));
        Assert.Equal(0, _refusals.Of(Refusals.ReverseArrivalRefused));
    }

    [Fact]
    public async Task Should_hold_an_arrival_that_comes_just_before_the_opener()
    {
        using var relay = await Arrive("dev-rev");
        await Polling.Until(() => Task.FromResult(_rendezvous.Counts.Held == 1), Deadline, "the arrival held");

        await using var session = await new ReverseSessionOpener(_rendezvous, Deadline).Open(_devices.Find(new DeviceId("dev-rev"))!, CancellationToken.None);

        // A negative: twice the hold passes and the arrival, taken, is not refused.
        await Task.Delay(Hold * 2);
        Assert.Equal(0, _refusals.Of(Refusals.ReverseArrivalRefused));
    }

    private async Task<NetworkStream> Connect()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        return new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>What the relay does: connect, announce the device.</summary>
    private async Task<NetworkStream> Arrive(string device)
    {
        var relay = await Connect();
        await FrameCodec.Write(relay, new RelayArrival(new DeviceId(device)), CancellationToken.None);
        return relay;
    }

    public async Task DisposeAsync()
    {
        await _socket.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
