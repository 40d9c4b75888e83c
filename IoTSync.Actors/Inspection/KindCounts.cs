using IoTSync.Logs;

namespace IoTSync.Inspection;

/// <summary>How many entries of each kind a log holds.</summary>
public sealed record KindCounts(long Commands, long Results, long Cancels)
{
    public static KindCounts None { get; } = new(0, 0, 0);

    public long Total => Commands + Results + Cancels;

    public KindCounts Count(EntryKind kind) => kind switch
    {
        EntryKind.Command => this with { Commands = Commands + 1 },
        EntryKind.Result => this with { Results = Results + 1 },
        EntryKind.Cancel => this with { Cancels = Cancels + 1 },
        _ => this,
    };
}
