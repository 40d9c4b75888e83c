using IoTSync.Fleet;
using IoTSync.Tests.Nodes;
using IoTSync.Tests.Persistence;
using Xunit;
using Xunit.Abstractions;

namespace IoTSync.Tests.Fleet;

/// <summary>
/// The fleet simulator's devices (its own code, as a library) against real mirror node processes in cluster mode on a
/// private PostgreSQL, on loopback: fifty devices, each listing every node (device i from node i mod M on) and moving
/// to the next when one does not answer, heartbeats over shared mutual-TLS associations, reverse sessions through the
/// host sshd of the node that answered. After the run every device's view and both its logs, entry by entry, equal the
/// mirror's as an API reads them; every command left at the mirror has run once with one result; every command of the
/// device's own is in its log once.
/// </summary>
// In the node-journals lane: the shortest of the real-process lanes (about 3.5 min before these specs came).
[Collection(IoTSync.Tests.Inspection.NodeJournalsCollection.Name)]
public sealed class MirrorClusterFleetSpecs(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int Devices = 50;

    private static FleetOptions Options(double cycleSeconds, double windowSeconds, double durationSeconds) =>
        new(Devices, TimeSpan.FromSeconds(cycleSeconds), TimeSpan.FromSeconds(windowSeconds), 0.3, 1, TimeSpan.FromSeconds(durationSeconds),
            AssociationMode.Parse("shared:5"), Check: true);

    [SkippableFact]
    public async Task Should_converge_every_device_with_two_mirror_nodes_read_through_either()
    {
        await using var fleet = await ClusterFleet.Start(postgres, Devices, nodes: 2, started: 2, Options(4, 3, 8));

        await fleet.RunCycles();

        // Device i read through node i mod 2: both nodes' APIs serve every device, wherever its entity lives.
        var check = await fleet.Check(0, 1);
        var said = fleet.Said(check);
        output.WriteLine(said);
        AssertDelivered(check, said);
        // Both nodes answered heartbeats and hosted journals.
        Assert.True(fleet.Devices.Select(d => d.AnsweringNode).Distinct().Count() == 2, said);
        Assert.True(fleet.RecoveredOn(0).Count > 0 && fleet.RecoveredOn(1).Count > 0, said);
    }

    /// <summary>
    /// A fleet whose listing outgrows Akka.Remote's frame (128 kB): node 2, which does not hold the registry, serves the
    /// reverse authorized_keys from its own copy (ClusterFleet.Start installs node 2's from its own API). Asking the
    /// registry on node 1 instead, its answer was dropped as too large and node 2 answered 503.
    /// </summary>
    [SkippableFact]
    public async Task Should_serve_a_fleet_larger_than_a_remote_frame_through_the_node_not_holding_the_registry()
    {
        const int many = 1000;
        await using var fleet = await ClusterFleet.Start(postgres, many, nodes: 2, started: 2, Options(4, 3, 8) with { Devices = many });

        var keys = await fleet.Api(1).ReverseAuthorizedKeys();

        Assert.Equal(many, keys.Lines.Count);
        Assert.All(fleet.Devices, d => Assert.Contains(keys.Lines, line => line.Contains($"--device {d.Id.Value}\"", StringComparison.Ordinal)));
    }

    [SkippableFact]
    public async Task Should_move_a_killed_nodes_shards_to_the_survivor_and_lose_or_double_nothing()
    {
        // The cycle is twice what it takes the survivor to see node 2 gone (failure detector, 2 s pause), down it (the
        // resolver's 1 s) and take its shards, about 5 s: a device misses at most the window the kill fell in.
        await using var fleet = await ClusterFleet.Start(postgres, Devices, nodes: 2, started: 2, Options(10, 4, 30),
            "akka.cluster.failure-detector.acceptable-heartbeat-pause = 2s\niotsync.mirror.cluster.down-unreachable-after = 1s");
        var onNode2 = new HashSet<string>(StringComparer.Ordinal);
        var node1Before = 0;

        await fleet.RunCycles(async clock =>
        {
            // Once every device has had a window (and node 2 hosts journals), in the middle of the second cycle.
            while (clock.Elapsed < TimeSpan.FromSeconds(15))
                await Task.Delay(100);
            onNode2.UnionWith(fleet.RecoveredOn(1));
            node1Before = fleet.Output(0).Length;
            fleet.Rig.Nodes[1].Process!.Kill();
        });

        var check = await fleet.Check(0);
        var said = fleet.Said(check);
        output.WriteLine(said);
        Assert.True(onNode2.Count > 0, said);
        AssertDelivered(check, said);
        // The journals node 2 held were recovered from PostgreSQL on the survivor after the kill.
        Assert.True(onNode2.Overlaps(fleet.RecoveredOn(0, node1Before)), said);
        // Every device answered after the kill (by node 1) and never missed two windows in a row.
        Assert.All(fleet.Devices, d => Assert.Equal(0, d.AnsweringNode));
        Assert.True(fleet.Devices.Max(d => d.MostMissedInARow) <= 1, said);
    }

    [SkippableFact]
    public async Task Should_hand_shards_to_a_node_that_joins_later_and_lose_or_double_nothing()
    {
        // Rebalancing every 2 s (the default is 10 s) so the joiner gets shards within a cycle or two.
        await using var fleet = await ClusterFleet.Start(postgres, Devices, nodes: 2, started: 1, Options(4, 3, 20),
            "akka.cluster.sharding.rebalance-interval = 2s");
        var joined = false;
        var onNode1 = new HashSet<string>(StringComparer.Ordinal);

        await fleet.RunCycles(async clock =>
        {
            // After the first cycle: every device's journal has been asked for, on node 1, the only node.
            while (clock.Elapsed < TimeSpan.FromSeconds(4))
                await Task.Delay(100);
            onNode1.UnionWith(fleet.RecoveredOn(0));
            await fleet.Rig.Start(fleet.Rig.Nodes[1]);
            await FleetEnrolment.InstallAuthorizedKeys(fleet.Target.Nodes[1], fleet.Api(1), Devices);
            joined = true;
        });

        var check = await fleet.Check(0, 1);
        var said = fleet.Said(check);
        output.WriteLine(said);
        Assert.True(joined, said);
        AssertDelivered(check, said);
        // Shards moved to the joiner: journals that lived on node 1 recovered there (from PostgreSQL), in the run.
        Assert.True(onNode1.Overlaps(fleet.RecoveredOn(1)), said);
        Assert.True(fleet.Devices.Max(d => d.MostMissedInARow) <= 1, said);
    }

    private static void AssertDelivered(FleetCheck check, string said)
    {
        Assert.True(check.Passed, said);
        Assert.Equal(Devices, check.Converged);
        Assert.Equal(Devices, check.LogsEqual);
        Assert.True(check.CommandsLeft > 0, said);
        Assert.Equal(check.CommandsLeft, check.ResultedOnce);
        Assert.Equal(check.CommandsLeft, check.RanOnce);
        Assert.True(check.LocalCommands > 0, said);
        Assert.Equal(check.LocalCommands, check.LocalCommandsOnce);
        Assert.Equal(0, check.OpenAtMirror);
    }
}
