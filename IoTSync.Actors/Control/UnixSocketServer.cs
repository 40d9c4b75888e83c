using System.Net.Sockets;

namespace IoTSync.Control;

/// <summary>
/// A running node's local door: a Unix domain socket in an owner-only directory, the socket
/// itself 0600 — or, given a group, 0660 in a 0750 directory of that group (the device's sync
/// account relays into it) — each connection served by <c>serve</c>. Nothing here listens on the network.
/// Refuses to start while another node answers on the same path; a stale socket file is replaced.
/// </summary>
public sealed class UnixSocketServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly string _path;
    private readonly Func<NetworkStream, CancellationToken, Task> _serve;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;

    private UnixSocketServer(Socket listener, string path, Func<NetworkStream, CancellationToken, Task> serve)
    {
        _listener = listener;
        _path = path;
        _serve = serve;
        _accepting = Accept();
    }

    public string Path => _path;

    /// <param name="path">The socket file.</param>
    /// <param name="node">Names the node in errors ("device node", "mirror node").</param>
    /// <param name="serve">Serves one connection.</param>
    /// <param name="group">The group that may connect besides the owner; empty for the owner alone.</param>
    public static async Task<UnixSocketServer> Start(string path, string node, Func<NetworkStream, CancellationToken, Task> serve, string group = "")
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("the control socket needs Unix file permissions");
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (File.Exists(path))
        {
            if (await ControlConnection.IsAnswering(path))
                throw new ControlSocketException($"another {node} is already running on {path}");
            File.Delete(path);
        }
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            if (group.Length > 0)
                UnixGroup.Share(directory, path, group);
            listener.Listen(64);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            listener.Dispose();
            throw new ControlSocketException($"cannot listen on {path}: {e.Message}", e);
        }
        return new UnixSocketServer(listener, path, serve);
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
            _ = ServeOne(connection);
        }
    }

    private async Task ServeOne(Socket connection)
    {
        await using var stream = new NetworkStream(connection, ownsSocket: true);
        try
        {
            await _serve(stream, _stopping.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client went away, or the node is stopping: nothing to tell anyone.
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
