using Akka.Actor;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Testing;
using IoTSync.Testing.Ssh;
using IoTSync.Tests.Persistence;
using IoTSync.Tests.Security;
using Xunit;
using static IoTSync.Mirror.DeviceRegistryMessages;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Mirror.Cluster;

/// <summary>
/// Mirror nodes as one Akka.Cluster over mutual TLS on a private PostgreSQL journal: a device's journal is one sharded
/// entity whichever node is asked, an enrolment made through one node reaches every node's key cache, an idle journal
/// is passivated and recovered, and a peer with a device's certificate never joins.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MirrorClusterSpecs(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TestFleet _fleet = new();

    [SkippableFact]
    public async Task Should_serve_one_journal_per_device_from_either_node_and_spread_enrolments_to_both()
    {
        using var journal = await postgres.CreateDatabase();
        var (portA, portB) = (PrivateSshd.FreePort(), PrivateSshd.FreePort());
        await using var a = await ClusterMirrorNode.Start(_fleet.MirrorFiles, journal.ConnectionStringFile, portA, portA);
        await using var b = await ClusterMirrorNode.Start(_fleet.MirrorFiles, journal.ConnectionStringFile, portB, portA);
        await Polling.Until(() => Task.FromResult(a.MembersUp == 2 && b.MembersUp == 2), Deadline, "both nodes up in one cluster");

        var device = new DeviceId("dev-clustered");
        await b.Registry.Ask<Enrolled>(new Enrol(new EnrolledDevice(device, "127.0.0.1", 2222, "iotsync", "SHA256:" + new string('A', 43),
            new string('a', 64), 1_700_000_000_000)), Deadline);
        await Polling.Until(() => Task.FromResult(a.Parts.Devices.Find(device) is not null && b.Parts.Devices.Find(device) is not null), Deadline,
            "the enrolment in both nodes' key caches");

        var first = await a.Journals.Ask<Submitted>(new SubmitCommand(device, ["echo", "one"], "app", null), Deadline);
        var second = await b.Journals.Ask<Submitted>(new SubmitCommand(device, ["echo", "two"], "app", null), Deadline);
        // One writer: the second command follows the first in the same mirror log, whichever node was asked.
        Assert.Equal(first.Entry.Sequence + 1, second.Entry.Sequence);
        Assert.Equal(first.Entry.Hash, second.Entry.PreviousHash);
        var stateAtA = await a.Journals.Ask<StateJournalState>(new GetJournalState(device), Deadline);
        var stateAtB = await b.Journals.Ask<StateJournalState>(new GetJournalState(device), Deadline);
        Assert.Equal(second.Entry.Hash, stateAtA.Logs.MirrorLog.Head);
        Assert.Equal(stateAtA.Logs.MirrorLog, stateAtB.Logs.MirrorLog);
    }

    [SkippableFact]
    public async Task Should_stop_an_idle_device_journal_and_recover_it_from_the_journal_on_its_next_message()
    {
        using var journal = await postgres.CreateDatabase();
        var port = PrivateSshd.FreePort();
        await using var node = await ClusterMirrorNode.Start(_fleet.MirrorFiles, journal.ConnectionStringFile, port, TimeSpan.FromSeconds(1), port);
        await Polling.Until(() => Task.FromResult(node.MembersUp == 1), Deadline, "the node up");
        var device = new DeviceId("dev-idle");
        var submitted = await node.Journals.Ask<Submitted>(new SubmitCommand(device, ["echo", "kept"], "app", null), Deadline);
        Assert.Equal(1, await ActiveJournals(node));

        await Polling.Until(async () => await ActiveJournals(node) == 0, Deadline, "the idle journal passivated");
        var recovered = await node.Journals.Ask<StateJournalState>(new GetJournalState(device), Deadline);

        Assert.Equal(submitted.Entry.Hash, recovered.Logs.MirrorLog.Head);
        Assert.Equal(1, await ActiveJournals(node));
        // Split-brain resolution is on, keeping the majority side.
        var cluster = Akka.Cluster.Cluster.Get(node.Core);
        Assert.Equal(typeof(Akka.Cluster.SBR.SplitBrainResolverProvider), cluster.Settings.DowningProviderType);
        Assert.Equal("keep-majority", node.Core.Settings.Config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
    }

    private static async Task<int> ActiveJournals(ClusterMirrorNode node)
    {
        var state = await node.Journals.Ask<Akka.Cluster.Sharding.CurrentShardRegionState>(Akka.Cluster.Sharding.GetShardRegionState.Instance, Deadline);
        return state.Shards.Sum(s => s.EntityIds.Count);
    }

    [SkippableFact]
    public async Task Should_refuse_a_cluster_peer_that_presents_a_device_certificate()
    {
        using var journal = await postgres.CreateDatabase();
        var (portA, portIntruder) = (PrivateSshd.FreePort(), PrivateSshd.FreePort());
        await using var a = await ClusterMirrorNode.Start(_fleet.MirrorFiles, journal.ConnectionStringFile, portA, portA);
        await Polling.Until(() => Task.FromResult(a.MembersUp == 1), Deadline, "the first node up alone");
        var tlsRefusedBefore = a.Parts.Refusals.Of(IoTSync.Security.Refusals.TlsRefused);

        // A device's certificate of the same fleet CA, offered as a mirror node's: it may reach the port, never join.
        await using var intruder = await ClusterMirrorNode.Start(dir => _fleet.DeviceFiles(dir, new DeviceId("dev-intruder")), journal.ConnectionStringFile, portIntruder, portA);
        await Polling.Until(() => Task.FromResult(a.Parts.Refusals.Of(IoTSync.Security.Refusals.TlsRefused) > tlsRefusedBefore), Deadline,
            "the first node refusing the intruder's TLS handshake");

        Assert.Equal(1, a.MembersUp);
        Assert.Equal(0, intruder.MembersUp);
    }

    public void Dispose() => _fleet.Dispose();
}
