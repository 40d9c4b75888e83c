using System.Collections.Concurrent;
using Akka.Actor;
using IoTSync.Mirror;
using IoTSync.Model;

namespace IoTSync.MirrorApi.Events;

/// <summary>
/// The API's view of what the StateJournals write (<see cref="JournalWritten"/> on the event stream; on a cluster node,
/// wherever the journal lives, through the <see cref="Mirror.Cluster.ClusterEventRelay"/>):
/// a request that waits for a device's next change gets a task that completes when it comes. One
/// small actor subscribes; the waiting requests never block an actor.
/// </summary>
public sealed class JournalChangeFeed
{
    private readonly ConcurrentDictionary<DeviceId, TaskCompletionSource> _next = new();

    public JournalChangeFeed(ActorSystem system)
    {
        var listener = system.ActorOf(Props.Create(() => new Listener(this)), "api-journal-changes");
        system.EventStream.Subscribe(listener, typeof(JournalWritten));
    }

    /// <summary>Completes at the device's next journal write after this call.</summary>
    public Task NextChange(DeviceId device) =>
        _next.GetOrAdd(device, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    private void Written(JournalWritten written)
    {
        if (_next.TryRemove(written.Device, out var waiting))
            waiting.TrySetResult();
    }

    private sealed class Listener : ReceiveActor
    {
        public Listener(JournalChangeFeed feed) => Receive<JournalWritten>(feed.Written);
    }
}
