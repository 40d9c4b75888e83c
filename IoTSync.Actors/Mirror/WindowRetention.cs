using Akka.Configuration;
using IoTSync.Configuration;

namespace IoTSync.Mirror;

/// <summary>
/// How much of a device's window history the mirror keeps (<c>iotsync.mirror.window-history</c>):
/// at most <see cref="KeepWindows"/> windows, none older than <see cref="KeepFor"/>, and a snapshot
/// of what is kept after every <see cref="SnapshotEvery"/> window events, after which the events
/// before it are deleted. The journal so holds at most <see cref="SnapshotEvery"/> window events
/// and one snapshot of at most <see cref="KeepWindows"/> windows per device, however long it runs.
/// Pure: the decisions are made here, <see cref="WindowHistoryJournal"/> carries them out.
/// </summary>
public sealed record WindowRetention(int KeepWindows, TimeSpan KeepFor, int SnapshotEvery)
{
    /// <summary>The fewest windows kept: a repeated session failure is judged on the last two sessions.</summary>
    public const int MinKeepWindows = 2;

    /// <summary>The most windows one device's history can be told to keep.</summary>
    public const int MaxKeepWindows = 100_000;

    public static WindowRetention Default { get; } = new(WindowHistory.Capacity, TimeSpan.FromDays(30), 64);

    /// <summary>Reads <c>iotsync.mirror.window-history</c>.</summary>
    public static WindowRetention FromConfig(Config root) => new(
        root.RequireInt("iotsync.mirror.window-history.keep-windows", MinKeepWindows, MaxKeepWindows),
        root.RequireDuration("iotsync.mirror.window-history.keep-for", TimeSpan.FromMinutes(1)),
        root.RequireInt("iotsync.mirror.window-history.snapshot-every", 1, 100_000));

    /// <summary>
    /// How many of <paramref name="windows"/> (oldest first) to drop at <paramref name="nowUnixMs"/>:
    /// the oldest beyond <see cref="KeepWindows"/>, and every window up to the newest one that began
    /// before <c>now - KeepFor</c> (a window whose time is unknown — its heartbeat never got through —
    /// goes with the next older one whose time is known, being older still than any after it).
    /// </summary>
    public int DropCount(IReadOnlyList<WindowRecord> windows, long nowUnixMs)
    {
        var cutoff = nowUnixMs - (long)KeepFor.TotalMilliseconds;
        var expired = 0;
        for (var i = windows.Count - 1; i >= 0; i--)
            if (TimeOf(windows[i]) is { } at && at < cutoff)
            {
                expired = i + 1;
                break;
            }
        return Math.Max(expired, windows.Count - KeepWindows);
    }

    /// <summary>Whether the window event persisted at <paramref name="sequenceNr"/> calls for a snapshot.</summary>
    public bool SnapshotDue(long sequenceNr) => sequenceNr > 0 && sequenceNr % SnapshotEvery == 0;

    /// <summary>When a window began as the mirror saw it: its heartbeat, else its session's start; null when neither got through.</summary>
    public static long? TimeOf(WindowRecord window) => window.HeartbeatAtUnixMs ?? window.Session?.StartedAtUnixMs;
}
