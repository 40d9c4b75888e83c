using IoTSync.Device;
using IoTSync.Hosting;
using Xunit;

namespace IoTSync.Tests.Hosting;

/// <summary>Heartbeats addressed to a name the mirror is not bound as: read from Akka.Remote's drop, and warned of on the device.</summary>
public sealed class MisaddressedMessageSpecs
{
    private const string Source = "akka.ssl.tcp://iotsync-mirror@127.0.0.1:36325/system/endpointManager/reliableEndpointWriter-akka.ssl.tcp%3A%2F%2Fiotsync-device-demo-device%40127.0.0.1%3A36665-44/endpointWriter";

    private const string Dropped = "Dropping message [Akka.Actor.ActorSelectionMessage] for non-local recipient [[akka.ssl.tcp://iotsync-mirror@localhost:36325/]] " +
                                   "arriving at [akka.ssl.tcp://iotsync-mirror@localhost:36325] inbound addresses [akka.ssl.tcp://iotsync-mirror@127.0.0.1:36325]";

    [Fact]
    public void Should_read_the_peer_the_address_it_used_and_the_address_to_use_from_akkas_drop()
    {
        var misaddressed = MisaddressedMessage.From(Dropped, Source);

        Assert.Equal(new MisaddressedMessage("iotsync-device-demo-device at 127.0.0.1", "akka.ssl.tcp://iotsync-mirror@localhost:36325", "akka.ssl.tcp://iotsync-mirror@127.0.0.1:36325"), misaddressed);
        Assert.Contains("give the device iotsync.device.mirror.address = \"127.0.0.1:36325\"", misaddressed!.Explanation);
        Assert.Null(MisaddressedMessage.From("Disassociated", Source));
        Assert.Equal("a peer", MisaddressedMessage.From(Dropped, "elsewhere")!.Peer);
    }

    [Theory]
    [InlineData("localhost:4053", true)]
    [InlineData("mirror.example:4053", true)]
    [InlineData("127.0.0.1:4053", false)]
    [InlineData("[::1]:4053", false)]
    public void Should_warn_the_device_of_a_mirror_dialled_by_name(string address, bool warned)
    {
        var warning = DeviceNodeSettings.MirrorNameWarningFor(address);

        Assert.Equal(warned, warning is not null);
        if (warned)
            Assert.StartsWith($"mirror address {address} is a name", warning);
    }
}
