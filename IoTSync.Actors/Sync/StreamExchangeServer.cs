using IoTSync.Logs;
using IoTSync.Protocol;

namespace IoTSync.Sync;

/// <summary>The device's end: answers framed requests with a <see cref="DeviceExchange"/> until it closes.</summary>
public static class StreamExchangeServer
{
    /// <summary>
    /// Serves one session. A malformed frame is answered with a refusal and ends the session. Once the
    /// exchange is closed, the session ends when the mirror ends its input, or after
    /// <paramref name="closeGrace"/>: the caller takes the link down when this returns, and the last
    /// answer must have reached the mirror by then (the mirror ends its input once it has read it).
    /// </summary>
    /// <remarks>
    /// <paramref name="afterHandled"/> runs after a request is handled and before its answer is sent (the crash-test hook);
    /// <paramref name="malformed"/> hears why a frame was refused, before the refusal is sent.
    /// </remarks>
    public static async Task Serve(DeviceExchange exchange, Stream fromMirror, Stream toMirror, CancellationToken cancellationToken,
        int maxFrameBytes = FrameCodec.DefaultMaxFrameBytes, Func<ExchangeMessage, Task>? afterHandled = null, TimeSpan? closeGrace = null,
        Action<string>? malformed = null)
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
                malformed?.Invoke(e.Message);
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
        await MirrorEnded(fromMirror, closeGrace ?? exchange.Settings.CloseGrace, cancellationToken);
    }

    /// <summary>Waits, bounded, for the end of the mirror's input; anything it still sends is not read as a request.</summary>
    private static async Task MirrorEnded(Stream fromMirror, TimeSpan grace, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(grace);
        var buffer = new byte[256];
        try
        {
            while (await fromMirror.ReadAsync(buffer, bounded.Token).AsTask().WaitAsync(bounded.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The grace ran out, the node is stopping, or the stream broke: the session is over either way.
        }
    }
}
