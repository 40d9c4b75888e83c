using IoTSync.Control;

namespace IoTSync.Mirror;

/// <summary>The local clients of the mirror node's control socket.</summary>
public static class MirrorControlClient
{
    public static Task<TReply> Request<TReply>(string path, ControlMessage request, CancellationToken cancellationToken) where TReply : ControlMessage =>
        ControlConnection.Request<TReply>(path, MirrorControlServer.NodeName, request, cancellationToken);
}
