namespace IoTSync.Fleet;

/// <summary>A mirror the simulator started on loopback (<see cref="LocalMirror"/>, or <see cref="LocalCluster"/>) and stops when disposed.</summary>
public interface ILocalMirror : IAsyncDisposable
{
    MirrorTarget Target { get; }

    /// <summary>What it is, for the report.</summary>
    string Description { get; }

    /// <summary>The last log lines of its node(s), for a failure.</summary>
    string Tail(int lines = 40);
}
