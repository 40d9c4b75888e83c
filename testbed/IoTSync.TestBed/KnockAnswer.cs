namespace IoTSync.TestBed;

/// <summary>What a TCP connection attempt got back (<see cref="NamespaceSockets.Knock"/>).</summary>
public enum KnockReply
{
    /// <summary>No reply at all within the time: the SYN was dropped (or its answer was).</summary>
    Nothing,

    /// <summary>A TCP reset: the host is there and says no port is open.</summary>
    Reset,

    /// <summary>A SYN-ACK: the connection opened.</summary>
    Connected,

    /// <summary>Anything else (an ICMP error, say): the host or a router answered.</summary>
    OtherError,
}

/// <summary>One knock's reply and, when it connected, what the server said first (sshd's banner), if anything.</summary>
public sealed record KnockAnswer(KnockReply Reply, string Banner);
