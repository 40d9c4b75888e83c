using System.Collections.Immutable;
using IoTSync.Security;

namespace IoTSync.Control;

/// <summary>One non-zero refusal counter as a control reply carries it.</summary>
public sealed record RefusalCount(string Kind, long Count)
{
    /// <summary>The counters now, in name order.</summary>
    public static ImmutableArray<RefusalCount> From(Refusals refusals) =>
        [.. refusals.Snapshot().Select(c => new RefusalCount(c.Key, c.Value))];
}
