using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using IoTSync.Logs;
using IoTSync.Protocol;
using IoTSync.Serialization;
using IoTSync.Sync;
using IoTSync.Testing.Serialization;
using IoTSync.Tests.Sync;
using Xunit;

namespace IoTSync.Tests.Protocol;

public sealed class FrameCodecSpecs
{
    private static readonly CancellationToken None = CancellationToken.None;

    public static TheoryData<string> ExchangeMessageNames() =>
        [.. MessageSamples.All().OfType<ExchangeMessage>().Select(m => m.GetType().Name)];

    [Theory]
    [MemberData(nameof(ExchangeMessageNames))]
    public async Task Should_round_trip_every_exchange_message_in_a_frame(string name)
    {
        var message = MessageSamples.All().OfType<ExchangeMessage>().Single(m => m.GetType().Name == name);
        using var stream = new MemoryStream();

        await FrameCodec.Write(stream, message, None);
        await FrameCodec.Write(stream, message, None);
        stream.Position = 0;

        foreach (var _ in new[] { 1, 2 })
        {
            var read = await FrameCodec.Read(stream, FrameCodec.DefaultMaxFrameBytes, None);
            Assert.Equal(IoTSyncCodec.Encode(message), IoTSyncCodec.Encode(read!));
        }
        Assert.Null(await FrameCodec.Read(stream, FrameCodec.DefaultMaxFrameBytes, None));
    }

    public static TheoryData<string, byte[]> MalformedFrames() => new()
    {
        { "header", [0, 0] },
        { "outside", [0x7f, 0, 0, 0, 1] },
        { "inside a frame", [0, 0, 0, 20, 4, (byte)'d', (byte)'o'] },
        { "manifest length", Frame(0, "", "{}") },
        { "unknown IoTSync manifest", Frame("no-such", "{}") },
        { "not an exchange message", Frame("entry-appended", "{}") },
        { "malformed 'pull'", Frame("pull", "{\"fromSequence\":") },
    };

    [Theory]
    [MemberData(nameof(MalformedFrames))]
    public async Task Should_refuse_a_malformed_frame_with_a_clear_error(string expected, byte[] frame)
    {
        using var stream = new MemoryStream(frame);

        var error = await Assert.ThrowsAsync<FrameException>(() => FrameCodec.Read(stream, 1024, None));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task Should_name_the_devices_refusal_where_an_exchange_message_was_expected()
    {
        using var stream = new MemoryStream();
        await FrameCodec.Write(stream, new Control.ControlError("refused: the device is dark (no window is open)"), None);
        stream.Position = 0;

        var refused = await Assert.ThrowsAsync<FrameException>(() => FrameCodec.Read(stream, FrameCodec.DefaultMaxFrameBytes, None));

        Assert.Equal("the device refused the session: refused: the device is dark (no window is open)", refused.Message);
    }

    [Fact]
    public async Task Should_refuse_a_frame_over_the_bound_without_reading_it()
    {
        using var stream = new MemoryStream();
        await FrameCodec.Write(stream, new PushEntries([.. MessageSamples.All().OfType<PushEntries>().Single().Entries]), None);
        stream.Position = 0;

        var error = await Assert.ThrowsAsync<FrameException>(() => FrameCodec.Read(stream, 64, None));

        Assert.Contains("outside 2..64", error.Message);
        Assert.Equal(4, stream.Position);
    }

    [Fact]
    public async Task Should_converge_over_framed_byte_streams()
    {
        var rig = await SyncRig.Create(new ExchangeSettings(2));
        await rig.DeviceSide.Set("a", "device");
        rig.MirrorSide.Submit("reboot");
        rig.MirrorSide.Set("b", "mirror");
        var (toDevice, fromDevice) = (new Pipe(), new Pipe());
        var server = StreamExchangeServer.Serve(new DeviceExchange(rig.Device, rig.DeviceSide, rig.Settings),
            toDevice.Reader.AsStream(), fromDevice.Writer.AsStream(), None);
        var channel = new StreamExchangeChannel(toDevice.Writer.AsStream(), fromDevice.Reader.AsStream());

        var report = await new MirrorExchange(rig.Device, rig.MirrorSide, channel, rig.Settings).Run("framed", None);
        await server.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(report.MirrorView, report.DeviceView);
        Assert.Equal("device", rig.MirrorSide.State.Logs.Model.Get("a"));
        Assert.Equal("mirror", rig.DeviceSide.State.Logs.Model.Get("b"));
    }

    [Fact]
    public async Task Should_answer_a_malformed_frame_with_a_refusal_and_end_the_session()
    {
        var rig = await SyncRig.Create();
        var (toDevice, fromDevice) = (new Pipe(), new Pipe());
        var server = StreamExchangeServer.Serve(new DeviceExchange(rig.Device, rig.DeviceSide, rig.Settings),
            toDevice.Reader.AsStream(), fromDevice.Writer.AsStream(), None, maxFrameBytes: 1024);
        var eventsBefore = rig.DeviceJournal.Events.Count;

        await toDevice.Writer.WriteAsync(Frame("push", "{\"entries\": 7}"));
        await server.WaitAsync(TimeSpan.FromSeconds(10));
        var answer = await FrameCodec.Read(fromDevice.Reader.AsStream(), 1024, None);

        var refused = Assert.IsType<Refused>(answer);
        Assert.Equal(Verdict.Malformed, refused.Verdict);
        Assert.Contains("malformed frame", refused.Detail);
        Assert.Equal(eventsBefore, rig.DeviceJournal.Events.Count);
    }

    private static byte[] Frame(string manifest, string json) => Frame((byte)manifest.Length, manifest, json);

    private static byte[] Frame(byte manifestLength, string manifest, string json = "")
    {
        var body = new[] { manifestLength }.Concat(Encoding.ASCII.GetBytes(manifest)).Concat(Encoding.UTF8.GetBytes(json)).ToArray();
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }
}
