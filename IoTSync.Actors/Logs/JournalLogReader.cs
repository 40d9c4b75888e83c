using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace IoTSync.Logs;

/// <summary>
/// Reads ranges of a log back from an actor's journal through Akka.Persistence.Query, so the
/// entries never have to live in actor state.
/// </summary>
public sealed class JournalLogReader(ActorSystem system, string readJournalPluginId)
{
    private readonly ICurrentEventsByPersistenceIdQuery _query =
        PersistenceQuery.Get(system).ReadJournalFor<ICurrentEventsByPersistenceIdQuery>(readJournalPluginId);

    private readonly IMaterializer _materializer = system.Materializer();

    /// <summary>Entries <paramref name="fromSequence"/>.. of one log, at most <paramref name="maxEntries"/>, none past <paramref name="heldLength"/>.</summary>
    public async Task<ImmutableArray<LogEntry>> Read(string persistenceId, JournalIndex index, Origin origin,
        long fromSequence, int maxEntries, long heldLength)
    {
        var last = Math.Min(heldLength, fromSequence + maxEntries - 1);
        if (fromSequence < 1 || fromSequence > last)
            return [];
        var entries = await _query
            .CurrentEventsByPersistenceId(persistenceId, index.ReadFrom(origin, fromSequence), long.MaxValue)
            .Select(envelope => envelope.Event)
            .Where(e => e is EntryAppended appended && appended.Entry.Origin == origin)
            .Select(e => ((EntryAppended)e).Entry)
            .Where(entry => entry.Sequence >= fromSequence)
            .TakeWhile(entry => entry.Sequence <= last)
            .RunWith(Sink.Seq<LogEntry>(), _materializer);
        return [.. entries];
    }
}
