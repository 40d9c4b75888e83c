using IoTSync.Configuration;
using IoTSync.Logs;
using IoTSync.Protocol;

namespace IoTSync.Sync;

/// <summary>Limits of one exchange.</summary>
/// <param name="MaxBatchEntries">Most log entries in one push or pull message.</param>
/// <param name="CloseGrace">
/// After answering <c>Done</c>, how long the device waits for the mirror to end its input before it
/// ends the session anyway. Ending the session ends the window, so the device's last answer must be
/// on its way to the mirror first; the mirror ends its input as soon as it has read that answer.
/// </param>
/// <param name="MaxBatchBytes">Most encoded bytes of entries in one push or pull message: with room to spare, a batch fits a frame.</param>
public sealed record ExchangeSettings(int MaxBatchEntries, TimeSpan CloseGrace, int MaxBatchBytes)
{
    /// <summary>Room in a frame for what is not entries: the message's other fields, the manifest.</summary>
    public const int FrameOverheadBytes = 64 * 1024;

    public const int DefaultMaxBatchBytes = 4 * 1024 * 1024;

    public ExchangeSettings(int MaxBatchEntries) : this(MaxBatchEntries, TimeSpan.FromSeconds(1), DefaultMaxBatchBytes)
    {
    }

    public static ExchangeSettings Default { get; } = new(256);

    /// <summary>Reads <c>iotsync.exchange</c>; an entry bound larger than a batch, or a batch larger than a frame, is refused.</summary>
    public static ExchangeSettings FromConfig(Akka.Configuration.Config root)
    {
        var maxBatchEntries = root.RequireInt("iotsync.exchange.max-batch-entries", 1);
        var maxBatchBytes = (int)root.RequireByteSize("iotsync.exchange.max-batch-bytes", 1024, FrameCodec.DefaultMaxFrameBytes - FrameOverheadBytes);
        var maxEntryBytes = MaxEntryBytes(root);
        if (maxEntryBytes > maxBatchBytes)
            throw new Akka.Configuration.ConfigurationException(
                $"iotsync.exchange.max-entry-bytes ({maxEntryBytes}) is larger than iotsync.exchange.max-batch-bytes ({maxBatchBytes}): an entry must fit a batch");
        return new(maxBatchEntries, root.RequireDuration("iotsync.exchange.close-grace"), maxBatchBytes);
    }

    /// <summary>Reads <c>iotsync.exchange.max-entry-bytes</c>, the bound every writer keeps (<see cref="EntrySize"/>).</summary>
    public static int MaxEntryBytes(Akka.Configuration.Config root) =>
        (int)root.RequireByteSize("iotsync.exchange.max-entry-bytes", 1024, FrameCodec.DefaultMaxFrameBytes - FrameOverheadBytes);
}
