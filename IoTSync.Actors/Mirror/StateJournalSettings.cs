using Akka.Configuration;
using IoTSync.Configuration;
using IoTSync.Logs;

namespace IoTSync.Mirror;

/// <summary>
/// Settings of each device's <see cref="StateJournal"/>: the limits its state enforces on
/// submissions, its journal's, and how much window history its <see cref="WindowHistoryJournal"/>
/// keeps (<see cref="WindowRetention.Default"/> when null).
/// </summary>
public sealed record StateJournalSettings(int MaxOpenCommands, int MaxCommandBytes, LogHolderSettings Journal, WindowRetention? Windows = null)
{
    public static StateJournalSettings Default { get; } = new(10_000, 64 * 1024, LogHolderSettings.Default);

    /// <summary>The window history's retention.</summary>
    public WindowRetention Retention => Windows ?? WindowRetention.Default;

    /// <summary>Reads <c>iotsync.mirror</c> and <c>iotsync.persistence</c>.</summary>
    public static StateJournalSettings FromConfig(Config root) => new(
        root.RequireInt("iotsync.mirror.max-open-commands", 1, int.MaxValue),
        root.RequireInt("iotsync.mirror.max-command-bytes", 1, int.MaxValue),
        IoTSyncSystem.LogHolderSettings(root),
        WindowRetention.FromConfig(root));
}
