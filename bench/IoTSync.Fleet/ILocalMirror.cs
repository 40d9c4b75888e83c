namespace IoTSync.Fleet;

/// <summary>A mirror the simulator started on loopback (<see cref="LocalMirror"/>, or <see cref="LocalCluster"/>) and stops when disposed.</summary>
public interface ILocalMirror : IAsyncDisposable
{
    MirrorTarget Target { get; }

    /// <summary>What it is, for the report.</summary>
    string Description { get; }

    /// <summary>The database server the nodes share (PostgreSQL's postmaster), when there is one, for its CPU.</summary>
    int? DatabasePid { get; }

    /// <summary>The mirror hosts' sshd (one per node), whose sessions and relays a sync costs besides the node.</summary>
    IReadOnlyList<int> SshdPids { get; }

    /// <summary>The last log lines of its node(s), for a failure.</summary>
    string Tail(int lines = 40);
}
