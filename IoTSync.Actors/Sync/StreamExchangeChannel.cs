using IoTSync.Protocol;

namespace IoTSync.Sync;

/// <summary>
/// The mirror's end of an exchange over a pair of byte streams (the SSH session's stdin and
/// stdout): one framed request out, one framed answer back.
/// </summary>
public sealed class StreamExchangeChannel(Stream toDevice, Stream fromDevice, int maxFrameBytes = FrameCodec.DefaultMaxFrameBytes) : IExchangeChannel
{
    public async Task<ExchangeMessage> Send(ExchangeMessage request, CancellationToken cancellationToken)
    {
        await FrameCodec.Write(toDevice, request, cancellationToken);
        return await FrameCodec.Read(fromDevice, maxFrameBytes, cancellationToken)
            ?? throw new IOException($"the device ended the session instead of answering {request.GetType().Name}");
    }
}
