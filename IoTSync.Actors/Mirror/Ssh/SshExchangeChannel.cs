using IoTSync.Protocol;
using IoTSync.Sync;
using Renci.SshNet.Common;

namespace IoTSync.Mirror.Ssh;

/// <summary>
/// The session's <see cref="IExchangeChannel"/>: framed requests over the command's stdin, answers
/// from its stdout. A request that failed or was cancelled mid-frame leaves the stream position
/// unknown, so the channel refuses further requests; the session must be closed.
/// </summary>
internal sealed class SshExchangeChannel(SshExchangeSession session, StreamExchangeChannel inner) : IExchangeChannel
{
    private volatile bool _broken;
    private int _busy;

    public async Task<ExchangeMessage> Send(ExchangeMessage request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(session.IsClosing, this);
        if (_broken)
            throw new InvalidOperationException($"an earlier request on the SSH session to {session.Endpoint} failed mid-frame; open a new session");
        if (Interlocked.Exchange(ref _busy, 1) == 1)
            throw new InvalidOperationException("the exchange channel carries one request at a time");
        try
        {
            // SSH.NET's output stream blocks a thread in Read; WaitAsync lets the caller go, and closing the session ends that read.
            return await inner.Send(request, cancellationToken).WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or SshException or ObjectDisposedException)
        {
            _broken = true;
            throw await session.Describe(request, e);
        }
        catch
        {
            _broken = true;
            throw;
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }
}
