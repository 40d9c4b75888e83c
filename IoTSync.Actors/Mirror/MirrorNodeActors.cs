namespace IoTSync.Mirror;

/// <summary>
/// The keys under which the mirror node's actors are in Akka.Hosting's <c>ActorRegistry</c>: ask for
/// <c>IRequiredActor&lt;MirrorNodeActors.Journals&gt;</c> to get the StateJournals.
/// </summary>
public static class MirrorNodeActors
{
    /// <summary>The DeviceRegistry: enrolled devices and their keys (core).</summary>
    public sealed class Registry
    {
        private Registry() { }
    }

    /// <summary>The ApiTokenStore: the HTTP API's tokens, their roles and revocations (core). Registered once its tokens have recovered into <c>MirrorNodeParts.Tokens</c>.</summary>
    public sealed class Tokens
    {
        private Tokens() { }
    }

    /// <summary>The StateJournals: one StateJournal per device (core).</summary>
    public sealed class Journals
    {
        private Journals() { }
    }

    /// <summary>The SshReplicator: the sessions to devices in their windows (core).</summary>
    public sealed class Replicator
    {
        private Replicator() { }
    }

    /// <summary>The HealthWatch: every device's health, changes published on the EventStream (core; in a cluster the proxy of the one watch, a singleton).</summary>
    public sealed class LateWatch
    {
        private LateWatch() { }
    }

    /// <summary>The HeartbeatListener: the only actor reachable from the network (edge).</summary>
    public sealed class Listener
    {
        private Listener() { }
    }
}
