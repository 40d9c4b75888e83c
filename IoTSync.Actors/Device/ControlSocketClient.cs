using System.Net.Sockets;
using IoTSync.Control;
using IoTSync.Protocol;

namespace IoTSync.Device;

/// <summary>The local clients of the device node's control socket: <c>exec</c>, <c>status</c> and <c>sync-endpoint</c>.</summary>
public static class ControlSocketClient
{
    /// <summary>Records and runs a command through the running node.</summary>
    public static Task<ExecReply> Exec(string path, IEnumerable<string> argv, string issuer, CancellationToken cancellationToken) =>
        ControlConnection.Request<ExecReply>(path, ControlSocketServer.NodeName, new ExecRequest([.. argv], issuer), cancellationToken);

    public static Task<DeviceStatusReply> Status(string path, CancellationToken cancellationToken) =>
        ControlConnection.Request<DeviceStatusReply>(path, ControlSocketServer.NodeName, DeviceStatusRequest.Instance, cancellationToken);

    /// <summary>
    /// Relays one sync session: bytes from <paramref name="fromMirror"/> to the node and the
    /// node's answers to <paramref name="toMirror"/>, until either side ends.
    /// </summary>
    public static async Task RelaySync(string path, Stream fromMirror, Stream toMirror, CancellationToken cancellationToken)
    {
        await using var stream = await ControlConnection.Connect(path, ControlSocketServer.NodeName, cancellationToken);
        await FrameCodec.Write(stream, SyncSessionRequest.Instance, cancellationToken);
        var up = CopyThenClose(fromMirror, stream, cancellationToken);
        var down = stream.CopyToAsync(toMirror, cancellationToken);
        await Task.WhenAny(up, down);
        await toMirror.FlushAsync(cancellationToken);
    }

    /// <summary>True when a node accepts connections on <paramref name="path"/>.</summary>
    public static Task<bool> IsAnswering(string path) => ControlConnection.IsAnswering(path);

    private static async Task CopyThenClose(Stream from, NetworkStream to, CancellationToken cancellationToken)
    {
        await from.CopyToAsync(to, cancellationToken);
        // The mirror closed its side: tell the node, so the session ends at a frame boundary.
        to.Socket.Shutdown(SocketShutdown.Send);
    }
}
