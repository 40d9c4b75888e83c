using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace IoTSync.MirrorApi.Server;

/// <summary>
/// Marks the connections that came through the node's owner-only control socket, with the Unix user
/// at the other end (from the kernel, SO_PEERCRED, not from anything the client says): only the
/// node's own user or root can open that socket, so such a request needs no token.
/// </summary>
public static class ControlSocketDoor
{
    private const string ItemKey = "iotsync.control-socket-peer";

    /// <summary>Kestrel connection middleware for the control socket's listener.</summary>
    public static ConnectionDelegate Mark(ConnectionDelegate next) => connection =>
    {
        connection.Items[ItemKey] = PeerUser(connection.Features.Get<IConnectionSocketFeature>()?.Socket);
        return next(connection);
    };

    /// <summary>The Unix user who opened the control socket, or null for a request that came over TCP.</summary>
    public static string? LocalUser(HttpContext http) =>
        http.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out var user) == true ? (string?)user : null;

    private static string PeerUser(Socket? socket)
    {
        if (socket is null || !OperatingSystem.IsLinux())
            return "local";
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; } from getsockopt(SOL_SOCKET, SO_PEERCRED).
        Span<byte> credentials = stackalloc byte[12];
        const int solSocket = 1, soPeerCred = 17;
        try
        {
            if (socket.GetRawSocketOption(solSocket, soPeerCred, credentials) < 12)
                return "local";
        }
        catch (SocketException)
        {
            return "local";
        }
        var uid = MemoryMarshal.Read<uint>(credentials[4..]);
        return UserName(uid) ?? $"uid {uid}";
    }

    private static string? UserName(uint uid)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var fields = line.Split(':');
                if (fields.Length > 2 && uint.TryParse(fields[2], out var id) && id == uid)
                    return fields[0];
            }
        }
        catch (IOException)
        {
        }
        return null;
    }
}
