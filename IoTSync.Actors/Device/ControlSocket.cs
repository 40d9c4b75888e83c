using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Sync;
using static IoTSync.Device.CommandRecorderMessages;

namespace IoTSync.Device;

/// <summary>The control socket could not be used; the message says why in one line.</summary>
public sealed class ControlSocketException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The running device node's local door: a Unix domain socket, owner-only, through which the
/// <c>exec</c> CLI records and runs commands and <c>sync-endpoint</c> relays the mirror's SSH
/// session to the node's <see cref="CommandRecorder"/>. Nothing on it listens on the network.
/// </summary>
public sealed class ControlSocketServer : IAsyncDisposable
{
    private const int MaxRequestBytes = 1024 * 1024;

    private readonly Socket _listener;
    private readonly string _path;
    private readonly DeviceId _device;
    private readonly IActorRef _recorder;
    private readonly ExchangeSettings _exchange;
    private readonly TimeSpan _timeout;
    private readonly ILoggingAdapter _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;

    private ControlSocketServer(Socket listener, string path, DeviceId device, IActorRef recorder, ExchangeSettings exchange, TimeSpan timeout, ILoggingAdapter log)
    {
        _listener = listener;
        _path = path;
        _device = device;
        _recorder = recorder;
        _exchange = exchange;
        _timeout = timeout;
        _log = log;
        _accepting = Accept();
    }

    /// <summary>
    /// Listens on <paramref name="path"/> (its directory is made owner-only, the socket 0600).
    /// Refuses to start while another node answers there; a stale socket file is replaced.
    /// </summary>
    public static async Task<ControlSocketServer> Start(string path, DeviceId device, IActorRef recorder, ExchangeSettings exchange,
        TimeSpan timeout, ILoggingAdapter log)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("the device node's control socket needs Unix file permissions");
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (File.Exists(path))
        {
            if (await ControlSocketClient.IsAnswering(path))
                throw new ControlSocketException($"another device node is already running on {path}");
            File.Delete(path);
        }
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(16);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            listener.Dispose();
            throw new ControlSocketException($"cannot listen on {path}: {e.Message}", e);
        }
        return new ControlSocketServer(listener, path, device, recorder, exchange, timeout, log);
    }

    private async Task Accept()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Serve(connection);
        }
    }

    private async Task Serve(Socket connection)
    {
        await using var stream = new NetworkStream(connection, ownsSocket: true);
        try
        {
            var request = await FrameCodec.Read<ControlMessage>(stream, MaxRequestBytes, _stopping.Token);
            switch (request)
            {
                case ExecRequest exec:
                    var completed = await _recorder.Ask<CommandCompleted>(new RecordCommand(exec.Argv, exec.Issuer), _timeout, _stopping.Token);
                    await FrameCodec.Write(stream, new ExecReply(completed.Command, completed.Result), _stopping.Token);
                    break;
                case SyncSessionRequest:
                    _log.Info("[{0}] sync session opened on the control socket", _device);
                    var exchange = new DeviceExchange(_device, new CommandRecorderSide(_recorder, _timeout), _exchange);
                    await StreamExchangeServer.Serve(exchange, stream, stream, _stopping.Token);
                    _log.Info("[{0}] sync session closed", _device);
                    break;
                case null:
                    break;
                default:
                    await FrameCodec.Write(stream, new ControlError($"{request.GetType().Name} is not a request"), _stopping.Token);
                    break;
            }
        }
        catch (FrameException e)
        {
            _log.Warning("[{0}] malformed request on the control socket: {1}", _device, e.Message);
            await TryWrite(stream, new ControlError($"malformed request: {e.Message}"));
        }
        catch (Exception e) when (e is AskTimeoutException or ArgumentException or InvalidOperationException)
        {
            await TryWrite(stream, new ControlError(e.Message));
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            _log.Debug("[{0}] control connection ended: {1}", _device, e.Message);
        }
    }

    private async Task TryWrite(Stream stream, ControlMessage message)
    {
        try
        {
            await FrameCodec.Write(stream, message, _stopping.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            // The client went away first; nothing to tell it.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        await _accepting;
        File.Delete(_path);
        _stopping.Dispose();
    }
}

/// <summary>The local clients of the control socket: <c>exec</c> and <c>sync-endpoint</c>.</summary>
public static class ControlSocketClient
{
    private const int MaxReplyBytes = 8 * 1024 * 1024;

    /// <summary>Records and runs a command through the running node.</summary>
    public static async Task<ExecReply> Exec(string path, IEnumerable<string> argv, string issuer, CancellationToken cancellationToken)
    {
        await using var stream = await Connect(path, cancellationToken);
        await FrameCodec.Write(stream, new ExecRequest([.. argv], issuer), cancellationToken);
        return await FrameCodec.Read<ControlMessage>(stream, MaxReplyBytes, cancellationToken) switch
        {
            ExecReply reply => reply,
            ControlError error => throw new ControlSocketException(error.Message),
            null => throw new ControlSocketException("the device node closed the connection without answering"),
            var other => throw new ControlSocketException($"unexpected answer {other.GetType().Name}"),
        };
    }

    /// <summary>
    /// Relays one sync session: bytes from <paramref name="fromMirror"/> to the node and the
    /// node's answers to <paramref name="toMirror"/>, until either side ends.
    /// </summary>
    public static async Task RelaySync(string path, Stream fromMirror, Stream toMirror, CancellationToken cancellationToken)
    {
        await using var stream = await Connect(path, cancellationToken);
        await FrameCodec.Write(stream, SyncSessionRequest.Instance, cancellationToken);
        var up = CopyThenClose(fromMirror, stream, cancellationToken);
        var down = stream.CopyToAsync(toMirror, cancellationToken);
        await Task.WhenAny(up, down);
        await toMirror.FlushAsync(cancellationToken);
    }

    /// <summary>True when a node accepts connections on <paramref name="path"/>.</summary>
    public static async Task<bool> IsAnswering(string path)
    {
        try
        {
            await using var stream = await Connect(path, CancellationToken.None);
            return true;
        }
        catch (ControlSocketException)
        {
            return false;
        }
    }

    private static async Task CopyThenClose(Stream from, NetworkStream to, CancellationToken cancellationToken)
    {
        await from.CopyToAsync(to, cancellationToken);
        // The mirror closed its side: tell the node, so the session ends at a frame boundary.
        to.Socket.Shutdown(SocketShutdown.Send);
    }

    private static async Task<NetworkStream> Connect(string path, CancellationToken cancellationToken)
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
            throw new ControlSocketException($"no device node is running (nothing answers on {path}: {e.SocketErrorCode})", e);
        }
    }
}
