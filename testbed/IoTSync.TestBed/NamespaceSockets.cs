using System.ComponentModel;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace IoTSync.TestBed;

/// <summary>
/// Sockets that belong to a named network namespace, opened from this process: a socket belongs to
/// the namespace its creating thread was in, and <c>setns(2)</c> moves one thread only. A
/// short-lived thread of our own enters the namespace, creates the socket and goes back before it
/// ends; the socket is then used from any thread. No helper process, no shell, no bash.
/// </summary>
public static class NamespaceSockets
{
    private const int CloneNewNet = 0x40000000;

    /// <summary>A TCP socket in <paramref name="ns"/> (a name under /run/netns), not yet connected.</summary>
    public static Socket CreateTcp(string ns, AddressFamily family = AddressFamily.InterNetwork) => CreateTcp(ns, 1, family)[0];

    /// <summary><paramref name="count"/> TCP sockets in <paramref name="ns"/>, made by one thread (for floods: a thread per socket costs more than the socket).</summary>
    public static Socket[] CreateTcp(string ns, int count, AddressFamily family = AddressFamily.InterNetwork)
    {
        using var target = File.OpenHandle(Path.Combine("/run/netns", ns), FileMode.Open, FileAccess.Read);
        Socket[]? sockets = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                // The type initialisers run here, outside the namespace, so nothing the runtime might
                // start lazily (a thread inherits its creator's namespaces) starts while inside it.
                new Socket(family, SocketType.Stream, ProtocolType.Tcp).Dispose();
                using var home = File.OpenHandle("/proc/thread-self/ns/net", FileMode.Open, FileAccess.Read);
                if (Native.setns((int)target.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new Win32Exception(Marshal.GetLastPInvokeError(), $"setns into network namespace {ns} failed");
                try
                {
                    sockets = [.. Enumerable.Range(0, count).Select(_ => new Socket(family, SocketType.Stream, ProtocolType.Tcp))];
                }
                finally
                {
                    // Should going back fail, this thread ends now anyway and nothing else runs on it.
                    _ = Native.setns((int)home.DangerousGetHandle(), CloneNewNet);
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        { IsBackground = true, Name = $"netns {ns}" };
        thread.Start();
        thread.Join();
        return sockets ?? throw new InvalidOperationException($"could not open a socket in network namespace {ns}", failure);
    }

    /// <summary>A TCP connection to <paramref name="endpoint"/> opened from inside <paramref name="ns"/>.</summary>
    public static async Task<Socket> Connect(string ns, IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = CreateTcp(ns, endpoint.AddressFamily);
        try
        {
            socket.NoDelay = true;
            await socket.ConnectAsync(endpoint, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether a TCP connection from inside <paramref name="ns"/> to the endpoint completes within
    /// <paramref name="timeout"/>; the connection is closed at once.
    /// </summary>
    public static async Task<bool> CanConnect(string ns, IPEndPoint endpoint, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            using var socket = await Connect(ns, endpoint, deadline.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// A connection attempt from inside <paramref name="ns"/> to the endpoint, told apart by what came
    /// back within <paramref name="timeout"/>: nothing, a reset, another error, or a connection (then
    /// whatever the server sends first within the same time, e.g. sshd's banner).
    /// </summary>
    public static async Task<KnockAnswer> Knock(string ns, IPEndPoint endpoint, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        Socket socket;
        try
        {
            socket = await Connect(ns, endpoint, deadline.Token);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return new KnockAnswer(KnockReply.Reset, "");
        }
        catch (SocketException)
        {
            return new KnockAnswer(KnockReply.OtherError, "");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return new KnockAnswer(KnockReply.Nothing, "");
        }
        using (socket)
        {
            var buffer = new byte[256];
            using var read = new CancellationTokenSource(timeout);
            try
            {
                var count = await socket.ReceiveAsync(buffer, SocketFlags.None, read.Token);
                return new KnockAnswer(KnockReply.Connected, System.Text.Encoding.ASCII.GetString(buffer, 0, count).Trim());
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                return new KnockAnswer(KnockReply.Connected, "");
            }
        }
    }
}

internal static class Native
{
    public const int SigKill = 9;

    [DllImport("libc", SetLastError = true)]
    public static extern int setns(int fd, int nstype);

    [DllImport("libc", SetLastError = true)]
    public static extern int kill(int pid, int sig);
}
