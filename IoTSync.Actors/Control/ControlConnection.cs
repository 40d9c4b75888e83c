using System.Net.Sockets;
using IoTSync.Protocol;

namespace IoTSync.Control;

/// <summary>The local clients' side of a node's control socket: one request, one answer.</summary>
public static class ControlConnection
{
    public const int MaxRequestBytes = 1024 * 1024;
    public const int MaxReplyBytes = 16 * 1024 * 1024;

    /// <summary>
    /// Sends <paramref name="request"/> and reads the answer; a <see cref="ControlError"/> or an
    /// unexpected answer becomes a <see cref="ControlSocketException"/> with the node's words.
    /// </summary>
    public static async Task<TReply> Request<TReply>(string path, string node, ControlMessage request, CancellationToken cancellationToken)
        where TReply : ControlMessage
    {
        // Refused here, with the limit named: the node would stop reading mid-request, and the writer see only a broken pipe.
        var frame = FrameCodec.Encode(request);
        if (frame.Length - 4 > MaxRequestBytes)
            throw new ControlSocketException($"the request is {frame.Length - 4} bytes; the {node}'s control socket takes requests of at most {MaxRequestBytes} bytes");
        await using var stream = await Connect(path, node, cancellationToken);
        await FrameCodec.WriteFrame(stream, frame, cancellationToken);
        return await FrameCodec.Read<ControlMessage>(stream, MaxReplyBytes, cancellationToken) switch
        {
            TReply reply => reply,
            ControlError error => throw new ControlSocketException(error.Message),
            null => throw new ControlSocketException($"the {node} closed the connection without answering"),
            var other => throw new ControlSocketException($"unexpected answer {other.GetType().Name} from the {node}"),
        };
    }

    /// <summary>True when a node accepts connections on <paramref name="path"/>.</summary>
    public static async Task<bool> IsAnswering(string path)
    {
        try
        {
            await using var stream = await Connect(path, "node", CancellationToken.None);
            return true;
        }
        catch (ControlSocketException)
        {
            return false;
        }
    }

    public static async Task<NetworkStream> Connect(string path, string node, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ControlSocketException($"no {node} is running (nothing answers on {path}: {Reason(e)})", e);
        }
    }

    /// <summary>Why a connect to a Unix socket failed, in words (not .NET's enum names).</summary>
    private static string Reason(SocketException e) => e.SocketErrorCode switch
    {
        // ENOENT comes back from .NET as AddressNotAvailable.
        SocketError.AddressNotAvailable => "no such socket",
        SocketError.ConnectionRefused => "the socket is there but refuses connections; the node that made it has stopped",
        SocketError.AccessDenied => "permission denied",
        _ => e.Message,
    };

    /// <summary>Writes an answer, unless the client has already gone.</summary>
    public static async Task TryWrite(Stream stream, ControlMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await FrameCodec.Write(stream, message, cancellationToken);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            // The client went away first; nothing to tell it.
        }
    }
}
