using IoTSync.Logs;

namespace IoTSync.Model;

/// <summary>How many device commands ended each way.</summary>
public sealed record OutcomeCounters(long Executed, long Failed, long Refused, long Expired, long Cancelled)
{
    public static OutcomeCounters None { get; } = new(0, 0, 0, 0, 0);

    public long Total => Executed + Failed + Refused + Expired + Cancelled;

    public OutcomeCounters Count(CommandOutcome outcome) => outcome switch
    {
        CommandOutcome.Executed => this with { Executed = Executed + 1 },
        CommandOutcome.Failed => this with { Failed = Failed + 1 },
        CommandOutcome.Refused => this with { Refused = Refused + 1 },
        CommandOutcome.Expired => this with { Expired = Expired + 1 },
        CommandOutcome.Cancelled => this with { Cancelled = Cancelled + 1 },
        _ => this,
    };
}
