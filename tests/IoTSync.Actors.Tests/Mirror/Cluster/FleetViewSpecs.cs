using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Mirror.Cluster;
using IoTSync.Model;
using IoTSync.Testing;
using IoTSync.Testing.Ssh;
using IoTSync.Tests.Persistence;
using IoTSync.Tests.Security;
using Xunit;
using static IoTSync.Mirror.DeviceRegistryMessages;
using static IoTSync.Mirror.StateJournalEvents;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Mirror.Cluster;

/// <summary>
/// What every node of a cluster sees of the whole fleet, two nodes in this process on a private PostgreSQL journal: a
/// device's summary posted where its journal lives is on the other node's board; the one health watch and the fleet
/// listings judge from the board and wake no passivated journal, and each health change reaches every node once; a journal's writes and windows
/// reach the event stream of the node that does not host it, once.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FleetViewSpecs(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TestFleet _fleet = new();

    [SkippableFact]
    public async Task Should_read_on_either_node_the_summary_a_journal_living_on_the_other_posted()
    {
        using var journal = await postgres.CreateDatabase();
        var ((a, b), nodes) = await TwoNodes(journal.ConnectionStringFile);
        await using var _ = nodes;
        var device = await DeviceLivingOn(b, a);

        await a.Journals.Ask<Submitted>(new SubmitCommand(device, ["echo", "one"], "app", null), Deadline);
        var written = await b.Journals.Ask<StateJournalState>(new GetJournalState(device), Deadline);

        await Polling.Until(() => Task.FromResult(a.Board.Find(device)?.MirrorLog == 1 && b.Board.Find(device)?.MirrorLog == 1), Deadline,
            "the summary on both nodes' boards");
        Assert.Equal(DeviceSummary.Of(written), a.Board.Find(device));
        Assert.Equal(DeviceSummary.Of(written), b.Board.Find(device));
    }

    [SkippableFact]
    public async Task Should_judge_from_the_board_waking_no_passivated_journal_and_bring_each_health_change_to_every_node_once()
    {
        using var journal = await postgres.CreateDatabase();
        const string watch = """
            akka.loglevel = INFO
            iotsync.mirror.late-check-every = 200ms
            iotsync.mirror.late-after-missed-windows = 1
            """;
        var ((a, b), nodes) = await TwoNodes(journal.ConnectionStringFile, TimeSpan.FromSeconds(1), watch);
        await using var _ = nodes;
        var device = new DeviceId("dev-watched");
        var changes = new[] { Collect<HealthChanged>(a.Core), Collect<HealthChanged>(b.Core) };
        var recoveries = new[] { Collect<Info>(a.Core), Collect<Info>(b.Core) };
        await a.Registry.Ask<Enrolled>(new Enrol(new EnrolledDevice(device, "127.0.0.1", 2222, "iotsync", "SHA256:" + new string('A', 43),
            new string('a', 64), 1_700_000_000_000)), Deadline);
        await Polling.Until(() => Task.FromResult(a.Parts.Devices.Find(device) is not null && b.Parts.Devices.Find(device) is not null), Deadline,
            "the enrolment in both nodes' key caches");

        // A 3 s cycle: late (more than one window missed) 6 s after this heartbeat, long after the journal is passivated.
        await a.Journals.Ask<Acknowledged>(new RecordHeartbeat(device, new HeartbeatRecorded(a.Parts.Wall.UtcNowMs, 3_000, null)), Deadline);
        await Polling.Until(async () => (await a.LocalJournals()).Count + (await b.LocalJournals()).Count == 0, Deadline, "the journal passivated");
        var recovered = Recoveries(recoveries, device);
        Assert.True(recovered > 0, "the journal's recoveries are counted (INFO lines)");

        await Polling.Until(() => Task.FromResult(changes.All(c => c.Any(h => h.Device == device && h.To == "late"))), Deadline, "the late change on both nodes");
        // The fleet listing of either node reads the board too.
        foreach (var node in new[] { a, b })
            Assert.Equal("late", Assert.Single((await node.Operations.Devices(CancellationToken.None)).Devices).Status);

        Assert.Equal(recovered, Recoveries(recoveries, device));
        Assert.Empty(await a.LocalJournals());
        Assert.Empty(await b.LocalJournals());

        // Called home again: the change back follows the late one on each node, and nothing was published twice in between.
        await b.Journals.Ask<Acknowledged>(new RecordHeartbeat(device, new HeartbeatRecorded(b.Parts.Wall.UtcNowMs, 3_000, null)), Deadline);
        await Polling.Until(() => Task.FromResult(changes.All(c => c.Any(h => h.Device == device && h.From == "late"))), Deadline, "the recovery on both nodes");
        var atA = changes[0].Where(h => h.Device == device).ToList();
        Assert.Equal(atA, changes[1].Where(h => h.Device == device));
        Assert.Single(atA, h => h.To == "late");
        Assert.Single(atA, h => h.From == "late");
        Assert.Equal("late", atA[^1].From);
    }

    [SkippableFact]
    public async Task Should_bring_a_journal_write_and_a_window_to_the_event_stream_of_the_node_not_hosting_the_journal_once()
    {
        using var journal = await postgres.CreateDatabase();
        var ((a, b), nodes) = await TwoNodes(journal.ConnectionStringFile);
        await using var _ = nodes;
        var device = await DeviceLivingOn(b, a);
        var written = new[] { Collect<JournalWritten>(a.Core), Collect<JournalWritten>(b.Core) };
        var windows = new[] { Collect<WindowRecorded>(a.Core), Collect<WindowRecorded>(b.Core) };

        var first = await a.Journals.Ask<Submitted>(new SubmitCommand(device, ["echo", "one"], "app", null), Deadline);
        await Polling.Until(() => Task.FromResult(written.All(w => w.Count(e => e.Device == device) == 1)), Deadline, "the first write on both nodes");
        var second = await a.Journals.Ask<Submitted>(new SubmitCommand(device, ["echo", "two"], "app", null), Deadline);
        await a.Journals.Ask<Acknowledged>(new RecordHeartbeat(device, new HeartbeatRecorded(a.Parts.Wall.UtcNowMs, 30_000, null)), Deadline);
        await Polling.Until(() => Task.FromResult(written.All(w => w.Count(e => e.Device == device) >= 2) && windows.All(w => w.Any(e => e.Device == device))),
            Deadline, "the second write and the window on both nodes");

        Assert.DoesNotContain(device.Value, await a.LocalJournals());
        foreach (var seen in written)
        {
            Assert.Equal([first.Entry, second.Entry], seen.Where(e => e.Device == device).Select(e => ((EntryAppended)e.Event).Entry));
            Assert.Equal(2, seen.Single(e => e.Device == device && ((EntryAppended)e.Event).Entry == second.Entry).View.MirrorLog.Length);
        }
        foreach (var seen in windows)
            Assert.IsType<HeartbeatRecorded>(Assert.Single(seen, e => e.Device == device).Event);
    }

    /// <summary>Two nodes in one cluster, the first the seed; disposed together.</summary>
    private async Task<((ClusterMirrorNode A, ClusterMirrorNode B) Nodes, Both Disposal)> TwoNodes(string connectionStringFile, TimeSpan? passivateIdleAfter = null,
        string extraHocon = "")
    {
        var (portA, portB) = (PrivateSshd.FreePort(), PrivateSshd.FreePort());
        var idle = passivateIdleAfter ?? TimeSpan.FromMinutes(2);
        var a = await ClusterMirrorNode.StartWith(_fleet.MirrorFiles, connectionStringFile, portA, idle, extraHocon, portA);
        try
        {
            var b = await ClusterMirrorNode.StartWith(_fleet.MirrorFiles, connectionStringFile, portB, idle, extraHocon, portA);
            var both = new Both(a, b);
            await Polling.Until(() => Task.FromResult(a.MembersUp == 2 && b.MembersUp == 2), Deadline, "both nodes up in one cluster");
            // Each relay's subscription reaches the other node by gossip: until then an event would find no one there.
            foreach (var (from, to) in new[] { (a, b), (b, a) })
            {
                var seen = Collect<HealthChanged>(to.Core);
                var handshake = new ClusterEventRelayMessages.RelayedHealthChanged(new DeviceId("dev-handshake"), "ok", "ok", 0, null);
                var mediator = DistributedPubSub.Get(from.Core).Mediator;
                await Polling.Until(() =>
                {
                    mediator.Tell(new Publish(ClusterEventRelayMessages.Topic, handshake));
                    return Task.FromResult(seen.Any(h => h.Device == handshake.Device));
                }, Deadline, "one node's events reaching the other's relay");
            }
            return ((a, b), both);
        }
        catch
        {
            await a.DisposeAsync();
            throw;
        }
    }

    /// <summary>A device whose journal lives on <paramref name="host"/>: devices are tried (through <paramref name="other"/>) until one's shard is there.</summary>
    private static async Task<DeviceId> DeviceLivingOn(ClusterMirrorNode host, ClusterMirrorNode other)
    {
        // Shards are placed only on regions the coordinator knows: until the host's has registered, every new shard goes to the other.
        await Polling.Until(async () => (await other.Journals.Ask<Akka.Cluster.Sharding.CurrentRegions>(Akka.Cluster.Sharding.GetCurrentRegions.Instance, Deadline)).Regions.Count == 2,
            Deadline, "both nodes' regions registered with the shard coordinator");
        for (var i = 0; i < 40; i++)
        {
            var device = new DeviceId($"dev-placed-{i}");
            await other.Journals.Ask<StateJournalState>(new GetJournalState(device), Deadline);
            if ((await host.LocalJournals()).Contains(device.Value))
                return device;
        }
        throw new InvalidOperationException("no device's journal was placed on the node asked for");
    }

    private static int Recoveries(ConcurrentQueue<Info>[] logs, DeviceId device) =>
        logs.Sum(log => log.Count(l => l.Message?.ToString()?.StartsWith($"[{device}] recovered:", StringComparison.Ordinal) == true));

    /// <summary>What is published on <paramref name="system"/>'s event stream as a <typeparamref name="T"/>, from now on.</summary>
    private static ConcurrentQueue<T> Collect<T>(ActorSystem system)
    {
        var seen = new ConcurrentQueue<T>();
        var collector = system.ActorOf(Props.Create(() => new Collector<T>(seen)));
        system.EventStream.Subscribe(collector, typeof(T));
        return seen;
    }

    private sealed class Collector<T> : ReceiveActor
    {
        public Collector(ConcurrentQueue<T> seen) => ReceiveAny(message =>
        {
            if (message is T published)
                seen.Enqueue(published);
        });
    }

    /// <summary>Both nodes, stopped B first (the joiner) then A.</summary>
    private sealed class Both(ClusterMirrorNode a, ClusterMirrorNode b) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await b.DisposeAsync();
            }
            finally
            {
                await a.DisposeAsync();
            }
        }
    }

    public void Dispose() => _fleet.Dispose();
}
