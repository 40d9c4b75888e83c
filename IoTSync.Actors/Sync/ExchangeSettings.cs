using IoTSync.Configuration;

namespace IoTSync.Sync;

/// <summary>Limits of one exchange.</summary>
/// <param name="MaxBatchEntries">Most log entries in one push or pull message.</param>
/// <param name="CloseGrace">
/// After answering <c>Done</c>, how long the device waits for the mirror to end its input before it
/// ends the session anyway. Ending the session ends the window, so the device's last answer must be
/// on its way to the mirror first; the mirror ends its input as soon as it has read that answer.
/// </param>
public sealed record ExchangeSettings(int MaxBatchEntries, TimeSpan CloseGrace)
{
    public ExchangeSettings(int MaxBatchEntries) : this(MaxBatchEntries, TimeSpan.FromSeconds(1))
    {
    }

    public static ExchangeSettings Default { get; } = new(256);

    /// <summary>Reads <c>iotsync.exchange</c>.</summary>
    public static ExchangeSettings FromConfig(Akka.Configuration.Config root) =>
        new(root.RequireInt("iotsync.exchange.max-batch-entries", 1), root.RequireDuration("iotsync.exchange.close-grace"));
}
