using IoTSync.Device;
using IoTSync.Protocol;
using Xunit;

namespace IoTSync.Tests.Device;

/// <summary>The native relay writes the session request by heart: it must be the codec's own frame.</summary>
public sealed class SyncRelaySpecs
{
    [Fact]
    public async Task Should_open_a_sync_session_with_the_frame_the_device_node_expects()
    {
        using var written = new MemoryStream();
        await FrameCodec.Write(written, SyncSessionRequest.Instance, CancellationToken.None);

        Assert.Equal(written.ToArray(), SyncRelay.Program.SyncSessionFrame.ToArray());
        written.Position = 0;
        Assert.IsType<SyncSessionRequest>(await FrameCodec.Read<Control.ControlMessage>(written, 1024, CancellationToken.None));
    }

    [Fact]
    public async Task Should_announce_a_reverse_devices_session_with_the_frame_the_mirror_node_expects()
    {
        using var written = new MemoryStream();
        await FrameCodec.Write(written, new IoTSync.Mirror.Reverse.RelayArrival(new IoTSync.Model.DeviceId("dev-7_x")), CancellationToken.None);

        Assert.Equal(written.ToArray(), SyncRelay.Program.ArrivalFrame("dev-7_x"));
        written.Position = 0;
        var arrival = Assert.IsType<IoTSync.Mirror.Reverse.RelayArrival>(await FrameCodec.Read<Control.ControlMessage>(written, 1024, CancellationToken.None));
        Assert.Equal("dev-7_x", arrival.Device.Value);
    }

    [Theory]
    [InlineData(new[] { "--socket", "/run/m.sock", "--device", "dev-1" }, true, "dev-1")]
    [InlineData(new[] { "--socket", "/run/m.sock" }, true, "")]
    [InlineData(new[] { "--socket", "/run/m.sock", "--device", "Dev\"\"" }, false, "")]
    [InlineData(new[] { "--socket", "/run/m.sock", "--device", "" }, false, "")]
    [InlineData(new[] { "--socket", "/run/m.sock", "--device", "a\"}" }, false, "")]
    public void Should_take_a_device_id_only_in_the_device_id_alphabet(string[] args, bool valid, string device)
    {
        Assert.Equal(valid, SyncRelay.Program.TryParse(args, out _, out _, out var parsed));
        if (valid)
            Assert.Equal(device, parsed);
        Assert.Throws<ArgumentException>(() => SyncRelay.Program.ArrivalFrame("a\"}"));
    }

    [Theory]
    [InlineData(new[] { "--socket", "/run/d.sock" }, true, 60_000)]
    [InlineData(new[] { "--socket", "/run/d.sock", "--limit-ms", "1500" }, true, 1500)]
    [InlineData(new[] { "--limit-ms", "1500" }, false, 1500)]
    [InlineData(new[] { "--socket" }, false, 60_000)]
    [InlineData(new[] { "--socket", "/run/d.sock", "--limit-ms", "-1" }, false, 60_000)]
    [InlineData(new[] { "--socket", "/run/d.sock", "--shell", "sh" }, false, 60_000)]
    public void Should_take_only_its_two_options(string[] args, bool valid, int limitMs)
    {
        Assert.Equal(valid, SyncRelay.Program.TryParse(args, out _, out var limit));
        if (valid)
            Assert.Equal(limitMs, limit);
    }
}
