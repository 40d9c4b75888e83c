using IoTSync.Configuration;

namespace IoTSync.Sync;

/// <summary>Limits of one exchange.</summary>
public sealed record ExchangeSettings(int MaxBatchEntries)
{
    public static ExchangeSettings Default { get; } = new(256);

    /// <summary>Reads <c>iotsync.exchange</c>.</summary>
    public static ExchangeSettings FromConfig(Akka.Configuration.Config root) =>
        new(root.RequireInt("iotsync.exchange.max-batch-entries", 1));
}
