namespace IoTSync.Sync;

/// <summary>How an exchange ended.</summary>
public enum ExchangeOutcome
{
    /// <summary>Both sides hold both logs and report the same state digest.</summary>
    Converged,

    /// <summary>The device refused something the mirror sent.</summary>
    RefusedByDevice,

    /// <summary>The mirror refused something the device sent.</summary>
    RefusedByMirror,

    /// <summary>The device is marked diverged; the exchange did not start.</summary>
    Diverged,

    /// <summary>Both sides hold the same logs but their digests differ: a model bug, alerted.</summary>
    DigestMismatch,

    /// <summary>The other side answered out of protocol.</summary>
    ProtocolError,
}
