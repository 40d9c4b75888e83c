using System.Collections.Immutable;

namespace IoTSync.Mirror;

/// <summary>
/// What <see cref="StateJournalState"/> decided for one command: the events to persist, in order,
/// and the reply. Nothing to persist means the reply goes at once (a refusal, or nothing new).
/// </summary>
public sealed record StateJournalDecision<TReply>(TReply Reply, ImmutableArray<object> Events)
{
    public bool WritesNothing => Events.IsDefaultOrEmpty;
}
