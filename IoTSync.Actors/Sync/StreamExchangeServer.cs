using IoTSync.Logs;
using IoTSync.Protocol;

namespace IoTSync.Sync;

/// <summary>The device's end: answers framed requests with a <see cref="DeviceExchange"/> until it closes.</summary>
public static class StreamExchangeServer
{
    /// <summary>Serves one session. A malformed frame is answered with a refusal and ends the session.</summary>
    /// <remarks><paramref name="afterHandled"/> runs after a request is handled and before its answer is sent (the crash-test hook).</remarks>
    public static async Task Serve(DeviceExchange exchange, Stream fromMirror, Stream toMirror, CancellationToken cancellationToken,
        int maxFrameBytes = FrameCodec.DefaultMaxFrameBytes, Func<ExchangeMessage, Task>? afterHandled = null)
    {
        while (!exchange.IsClosed)
        {
            ExchangeMessage? request;
            try
            {
                request = await FrameCodec.Read(fromMirror, maxFrameBytes, cancellationToken);
            }
            catch (FrameException e)
            {
                await FrameCodec.Write(toMirror, new Refused(Verdict.Malformed, 0, $"malformed frame: {e.Message}"), cancellationToken);
                return;
            }
            if (request is null)
                return;
            var answer = await exchange.Handle(request, cancellationToken);
            if (afterHandled is not null)
                await afterHandled(request);
            await FrameCodec.Write(toMirror, answer, cancellationToken);
        }
    }
}
