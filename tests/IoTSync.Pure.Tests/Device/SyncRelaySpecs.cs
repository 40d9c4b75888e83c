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
