using System.Collections.Concurrent;
using System.Net.Sockets;
using IoTSync.Control;
using IoTSync.Device;
using IoTSync.Model;
using IoTSync.Protocol;

namespace IoTSync.Tests.Security;

/// <summary>
/// What a compromised device answers the mirror: a Unix socket behind the real relay, which a real sshd
/// forces for the mirror's key, so the mirror reaches it by its own SSH session to the enrolled endpoint.
/// Per device (named in the mirror's hello), a script answers each request; the mirror's last message
/// (its refusal, say) is kept for the attacker's view.
/// </summary>
public sealed class FakeDeviceEndpoint : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<DeviceId, Func<ExchangeMessage, ExchangeMessage?>> _scripts = new();
    private readonly ConcurrentDictionary<DeviceId, ExchangeMessage> _lastFromMirror = new();
    private readonly Task _accepting;

    public FakeDeviceEndpoint(string path)
    {
        Path = path;
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(8);
        _accepting = Accept();
    }

    public string Path { get; }

    /// <summary>From now on <paramref name="device"/>'s sessions are answered by <paramref name="script"/> (null ends the session).</summary>
    public void Script(DeviceId device, Func<ExchangeMessage, ExchangeMessage?> script)
    {
        _lastFromMirror.TryRemove(device, out _);
        _scripts[device] = script;
    }

    /// <summary>The last message the mirror sent in <paramref name="device"/>'s latest session.</summary>
    public ExchangeMessage? LastFromMirror(DeviceId device) => _lastFromMirror.GetValueOrDefault(device);

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
            // The relay's first frame asks the node for a sync session.
            if (await FrameCodec.Read<ControlMessage>(stream, ControlConnection.MaxRequestBytes, _stopping.Token) is not SyncSessionRequest)
                return;
            DeviceId? device = null;
            while (await FrameCodec.Read(stream, FrameCodec.DefaultMaxFrameBytes, _stopping.Token) is { } request)
            {
                if (request is Hello hello)
                    device = hello.Device;
                if (device is not { } known || !_scripts.TryGetValue(known, out var script))
                    return;
                _lastFromMirror[known] = request;
                if (script(request) is not { } answer)
                    return;
                await FrameCodec.Write(stream, answer, _stopping.Token);
            }
        }
        catch (Exception e) when (e is IOException or FrameException or OperationCanceledException or SocketException)
        {
            // The mirror ended the session.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        await _accepting;
        File.Delete(Path);
    }
}
