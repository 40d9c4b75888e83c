using Akka.Actor;
using Akka.Hosting;

namespace IoTSync.Mirror;

/// <summary>
/// The core's actors the edge sends to: verified heartbeats go to the StateJournals, sessions are
/// asked of the SshReplicator. Handed to the edge, so the edge can live in an actor system of its own.
/// </summary>
public sealed record MirrorCoreRefs(IActorRef Journals, IActorRef Replicator)
{
    /// <summary>The core's actors from the registry of the system the core runs in, once they are there.</summary>
    public static async Task<MirrorCoreRefs> From(IReadOnlyActorRegistry core, CancellationToken cancellationToken = default) =>
        new(await core.GetAsync<MirrorNodeActors.Journals>(cancellationToken), await core.GetAsync<MirrorNodeActors.Replicator>(cancellationToken));
}
