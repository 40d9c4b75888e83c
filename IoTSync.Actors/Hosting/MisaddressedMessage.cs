using System.Text.RegularExpressions;

namespace IoTSync.Hosting;

/// <summary>
/// A remote message Akka.Remote dropped because it was addressed to this node by an address it is not bound
/// as: Akka.Remote compares addresses as text, so a device that dials <c>localhost:4053</c> reaches a mirror
/// bound as <c>127.0.0.1:4053</c> and every heartbeat it sends is dropped ("Dropping message ... for non-local
/// recipient ... arriving at ... inbound addresses ..."). Read from that log event, to say once what to change.
/// </summary>
/// <param name="Peer">Who sent it: the peer's system and host (its port changes with each connection), or "a peer".</param>
/// <param name="AddressedTo">The address the message named, as the peer wrote it.</param>
/// <param name="BoundAs">The addresses this node is bound as.</param>
public sealed partial record MisaddressedMessage(string Peer, string AddressedTo, string BoundAs)
{
    /// <summary>The warning an operator reads: what was dropped and which address the peer must use.</summary>
    public string Explanation
    {
        get
        {
            var bound = BoundAs.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? BoundAs;
            var hostPort = bound[(bound.IndexOf('@') + 1)..];
            return $"remote messages from {Peer} addressed to {AddressedTo} are dropped: this node is bound as {BoundAs}, and Akka.Remote " +
                   $"takes only an address written exactly as it is bound (a name is not its address); " +
                   $"give the device iotsync.device.mirror.address = \"{hostPort}\" (or bind this node as the name it dials)";
        }
    }

    /// <summary>The drop Akka.Remote logged as <paramref name="message"/> from <paramref name="logSource"/> (its endpoint writer, which names the peer), or null for any other event.</summary>
    public static MisaddressedMessage? From(string message, string? logSource)
    {
        var match = Dropped().Match(message);
        if (!match.Success)
            return null;
        var peer = "a peer";
        if (logSource is not null && PeerSource().Match(Uri.UnescapeDataString(logSource)) is { Success: true } source)
            peer = $"{source.Groups["system"].Value} at {source.Groups["host"].Value}";
        return new MisaddressedMessage(peer, match.Groups["to"].Value, match.Groups["bound"].Value);
    }

    [GeneratedRegex(@"for non-local recipient .* arriving at \[(?<to>[^\]]+)\] inbound addresses \[(?<bound>[^\]]*)\]")]
    private static partial Regex Dropped();

    /// <summary>The endpoint writer's name: <c>reliableEndpointWriter-akka.ssl.tcp://SYSTEM@HOST:PORT-N</c>.</summary>
    [GeneratedRegex(@"EndpointWriter-[a-z.]+://(?<system>[^@/]+)@(?<host>\[[^\]]+\]|[^:/]+):\d+")]
    private static partial Regex PeerSource();
}
