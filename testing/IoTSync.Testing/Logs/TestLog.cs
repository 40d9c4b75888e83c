using System.Collections.Immutable;
using IoTSync.Logs;
using IoTSync.Model;

namespace IoTSync.Testing.Logs;

/// <summary>
/// Builds one properly chained log (one device, one origin) for tests: every entry is made with
/// <see cref="LogEntry.Create"/> from the position the previous one left.
/// </summary>
public sealed class TestLog
{
    private readonly List<LogEntry> _entries = [];
    private long _wallMs;

    public TestLog(DeviceId device, Origin origin, long startWallMs = 1_700_000_000_000)
    {
        Device = device;
        Origin = origin;
        Position = LogPosition.Empty(device, origin);
        _wallMs = startWallMs;
    }

    public DeviceId Device { get; }
    public Origin Origin { get; }
    public LogPosition Position { get; private set; }
    public IReadOnlyList<LogEntry> Entries => _entries;
    public LogEntry this[long sequence] => _entries[(int)sequence - 1];

    /// <summary>The position after the first <paramref name="length"/> entries.</summary>
    public LogPosition PositionAt(long length) =>
        length == 0 ? LogPosition.Empty(Device, Origin) : LogPosition.Empty(Device, Origin).After(_entries[(int)length - 1]);

    /// <summary>Entries <paramref name="from"/>..<paramref name="to"/> (1-based, inclusive).</summary>
    public IReadOnlyList<LogEntry> Slice(long from, long to) =>
        _entries.Skip((int)from - 1).Take((int)(to - from + 1)).ToArray();

    public LogEntry Append(LogEntry entry)
    {
        _entries.Add(entry);
        Position = Position.After(entry);
        return entry;
    }

    private HlcTimestamp NextTime() => new(++_wallMs, 0);

    public LogEntry Command(params string[] argv) =>
        Append(LogEntry.NewCommand(Position, Origin, NextTime(), $"{Origin}-issuer".ToLowerInvariant(), argv));

    public LogEntry Result(CommandRef command, CommandOutcome outcome = CommandOutcome.Executed, int exitCode = 0) =>
        Append(LogEntry.NewResult(Position, NextTime(), "device-runner", command,
            new ResultFields(outcome, exitCode, "out", Truncated: false, DurationMs: 5)));

    public LogEntry Cancel(long mirrorCommandSequence) =>
        Append(LogEntry.NewCancel(Position, NextTime(), "operator", mirrorCommandSequence));

    /// <summary>Appends <paramref name="count"/> simple device commands.</summary>
    public TestLog Commands(int count)
    {
        for (var i = 0; i < count; i++)
            Command("echo", $"n{Position.Length + 1}");
        return this;
    }

    public static ImmutableArray<string> Argv(params string[] argv) => [.. argv];
}
