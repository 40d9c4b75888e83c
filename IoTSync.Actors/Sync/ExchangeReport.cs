using IoTSync.Configuration;
using IoTSync.Journal;
using IoTSync.Protocol;

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

/// <summary>The steps of an exchange, for reports and for crash tests that stop after each one.</summary>
public enum ExchangeStep
{
    Hello,
    Push,
    Pull,
    Done,
}

/// <summary>What one exchange did, for logs, history and tests.</summary>
public sealed record ExchangeReport(
    string SessionId,
    ExchangeOutcome Outcome,
    int EntriesPushed,
    int EntriesPulled,
    SyncView? MirrorView,
    SyncView? DeviceView,
    Refused? Refusal,
    string Detail)
{
    public bool Converged => Outcome == ExchangeOutcome.Converged;

    public override string ToString() =>
        $"session {SessionId}: {Outcome}, pushed {EntriesPushed}, pulled {EntriesPulled}" +
        (Refusal is null ? "" : $", {Refusal}") + (Detail.Length == 0 ? "" : $" ({Detail})");
}

/// <summary>Limits of one exchange.</summary>
public sealed record ExchangeSettings(int MaxBatchEntries)
{
    public static ExchangeSettings Default { get; } = new(256);

    /// <summary>Reads <c>iotsync.exchange</c>.</summary>
    public static ExchangeSettings FromConfig(Akka.Configuration.Config root) =>
        new(root.RequireInt("iotsync.exchange.max-batch-entries", 1));
}
