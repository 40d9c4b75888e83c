using System.Net.Sockets;

namespace IoTSync.SyncRelay;

/// <summary>
/// <c>iotsync-sync-relay --socket PATH [--limit-ms N] [--device ID]</c>: what sshd runs for the mirror's key in
/// every window (forced by authorized_keys). It connects to the running device node's control
/// socket, asks for a sync session, and relays bytes both ways between its stdin/stdout (the SSH
/// channel) and the node until either side ends. With <c>--device ID</c> it runs on the mirror host
/// for a reverse-mode device's key instead: it connects to the mirror node's session socket and
/// announces that device (the id comes from the forced command, never from the client). It does what <c>iotsync-device sync-endpoint
/// --socket PATH</c> does, without starting the runtime's command line, Akka or the codec: its
/// start-up is part of every window. It bounds its own run time (sshd does not signal a forced
/// command whose client vanished).
/// </summary>
public static class Program
{
    public const string Name = "iotsync-sync-relay";

    /// <summary>The frame <c>SyncSessionRequest</c> as the device node's codec writes it: length, manifest length, manifest, <c>{}</c>.</summary>
    public static ReadOnlySpan<byte> SyncSessionFrame =>
        [0, 0, 0, 15, 12, (byte)'c', (byte)'o', (byte)'n', (byte)'t', (byte)'r', (byte)'o', (byte)'l', (byte)'-', (byte)'s', (byte)'y', (byte)'n', (byte)'c', (byte)'{', (byte)'}'];

    private const int DefaultLimitMs = 60_000;

    /// <summary>
    /// The frame <c>RelayArrival</c> for <paramref name="device"/> as the mirror node's codec writes it:
    /// length, manifest length, manifest, <c>{"device":"ID"}</c>. Only a valid device id is ever put in it.
    /// </summary>
    public static byte[] ArrivalFrame(string device)
    {
        if (!IsDeviceId(device))
            throw new ArgumentException($"'{device}' is not a device id", nameof(device));
        var manifest = "control-relay-arrival"u8;
        var body = System.Text.Encoding.ASCII.GetBytes($"{{\"device\":\"{device}\"}}");
        var frame = new byte[4 + 1 + manifest.Length + body.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
        frame[4] = (byte)manifest.Length;
        manifest.CopyTo(frame.AsSpan(5));
        body.CopyTo(frame.AsSpan(5 + manifest.Length));
        return frame;
    }

    /// <summary>The device id alphabet (IoTSync.Model.DeviceId's, which this process does not load): 1-64 of a-z, 0-9, '-', '_', starting with a letter or digit.</summary>
    public static bool IsDeviceId(string value) =>
        value.Length is >= 1 and <= 64 && (char.IsAsciiLetterLower(value[0]) || char.IsAsciiDigit(value[0]))
        && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_');

    public static int Main(string[] args)
    {
        if (!TryParse(args, out var socket, out var limitMs, out var device))
        {
            Console.Error.WriteLine($"usage: {Name} --socket PATH [--limit-ms N] [--device ID]");
            return 2;
        }
        try
        {
            return Relay(socket, limitMs, device.Length == 0 ? SyncSessionFrame : ArrivalFrame(device));
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine(device.Length == 0
                ? $"{Name}: no device node is running (nothing answers on {socket}: {e.SocketErrorCode})"
                : $"{Name}: no mirror node is running (nothing answers on {socket}: {e.SocketErrorCode})");
            return 3;
        }
    }

    public static bool TryParse(string[] args, out string socket, out int limitMs) => TryParse(args, out socket, out limitMs, out _);

    /// <summary>The options; <paramref name="device"/> is empty without <c>--device</c> (the device host's relay).</summary>
    public static bool TryParse(string[] args, out string socket, out int limitMs, out string device)
    {
        (socket, limitMs, device) = ("", DefaultLimitMs, "");
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--socket":
                    socket = args[i + 1];
                    break;
                case "--device" when IsDeviceId(args[i + 1]):
                    device = args[i + 1];
                    break;
                case "--limit-ms" when int.TryParse(args[i + 1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms) && ms > 0:
                    limitMs = ms;
                    break;
                default:
                    return false;
            }
        }
        return args.Length % 2 == 0 && socket.Length > 0;
    }

    private static int Relay(string path, int limitMs, ReadOnlySpan<byte> firstFrame)
    {
        // Neither the socket nor the standard streams are disposed: the process ends as soon as one
        // direction does, and disposing them under the other thread's feet raised exceptions in it
        // while the runtime shut down ("Unhandled exception." on stderr). The exit closes them.
        var node = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        node.Connect(new UnixDomainSocketEndPoint(path));
        node.Send(firstFrame);
        var stdin = Console.OpenStandardInput();
        var stdout = Console.OpenStandardOutput();
        // Two plain threads, no thread pool or tasks to start: the mirror's bytes to the node (then
        // end-of-input, so the session ends at a frame boundary), the node's answers to the mirror.
        // Either side ending ends the session; the limit ends a session nobody ends.
        // Not disposed: a thread may still signal it while the process exits.
        var ended = new ManualResetEventSlim();
        // Made before either thread starts: made inside one, it raced the other side ending (an
        // empty stdin) and the socket's disposal, and its exception aborted the process.
        var fromNode = new NetworkStream(node, ownsSocket: false);
        var up = new Thread(() => Guarded(ended, () =>
        {
            Copy(stdin, node, toSocket: true);
            Shutdown(node);
        })) { IsBackground = true };
        var down = new Thread(() => Guarded(ended, () => Copy(fromNode, stdout, toSocket: false))) { IsBackground = true };
        up.Start();
        down.Start();
        return ended.Wait(limitMs) ? 0 : 4;
    }

    /// <summary>
    /// Runs one direction and signals the end whatever happens: an exception escaping a thread would
    /// abort the process (SIGABRT) instead of ending the session.
    /// </summary>
    private static void Guarded(ManualResetEventSlim ended, Action direction)
    {
        try
        {
            direction();
        }
        catch (Exception)
        {
            // Whatever ended that direction ends the session too; the relay has nothing else to keep.
        }
        finally
        {
            ended.Set();
        }
    }

    private static void Copy(Stream from, object to, bool toSocket)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = from.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (toSocket)
                {
                    ((Socket)to).Send(buffer.AsSpan(0, read));
                }
                else
                {
                    var stream = (Stream)to;
                    stream.Write(buffer, 0, read);
                    stream.Flush();
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The other side went away: the session is over.
        }
    }

    private static void Shutdown(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
    }
}
