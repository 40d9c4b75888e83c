using IoTSync.Inspection;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Tests.Logs;
using IoTSync.Tests.Sync;
using Xunit;

namespace IoTSync.Tests.Inspection;

/// <summary>A device's copy against the mirror's: what one copy alone cannot show.</summary>
public sealed class CrossCheckSpecs
{
    private static readonly DeviceId Device = new("dev-a");

    private static (TestLog DeviceLog, TestLog MirrorLog) Logs()
    {
        var deviceLog = new TestLog(Device, Origin.Device).Commands(5);
        var mirrorLog = new TestLog(Device, Origin.Mirror).Commands(4);
        return (deviceLog, mirrorLog);
    }

    private static SideCopy DeviceCopy(IReadOnlyList<LogEntry> deviceLog, IReadOnlyList<LogEntry> mirrorReplica) =>
        new(NodeRole.Device, Device, "device.db", deviceLog, mirrorReplica, null);

    private static SideCopy MirrorCopy(IReadOnlyList<LogEntry> deviceReplica, IReadOnlyList<LogEntry> mirrorLog, long delivered) =>
        new(NodeRole.Mirror, Device, "mirror.db", deviceReplica, mirrorLog, delivered);

    [Fact]
    public void Should_agree_when_each_replica_is_a_prefix_of_its_writers_log()
    {
        var (deviceLog, mirrorLog) = Logs();

        var findings = CrossCheck.Compare(DeviceCopy(deviceLog.Entries, mirrorLog.Slice(1, 3)), MirrorCopy(deviceLog.Slice(1, 4), mirrorLog.Entries, 3));

        Assert.Empty(findings);
    }

    [Fact]
    public void Should_name_the_first_rewritten_entry_of_a_chain_rewritten_whole_both_ways()
    {
        var (deviceLog, mirrorLog) = Logs();
        var rewritten = deviceLog.Slice(1, 2).Concat(Tamper.Relink(
            deviceLog.Slice(3, 5).Select((e, i) => i == 0 ? e with { Argv = ["rm", "-rf", "/evidence"] } : e), deviceLog.PositionAt(2))).ToArray();
        var walk = new LogWalk(Device, Origin.Device);
        Assert.All(rewritten, entry => Assert.Null(walk.Step(entry)));

        var device = DeviceCopy(rewritten, mirrorLog.Entries);
        var mirror = MirrorCopy(deviceLog.Entries, mirrorLog.Entries, 4);

        foreach (var findings in new[] { CrossCheck.Compare(device, mirror), CrossCheck.Compare(mirror, device) })
        {
            var finding = Assert.Single(findings);
            Assert.Equal((FindingPlace.DeviceLog, 3L), (finding.Place, finding.Sequence));
            Assert.Contains("the device's copy (device.db) differs from the mirror's (mirror.db)", finding.Reason);
            Assert.Contains("the mirror confirmed this log at 5@", finding.Reason);
        }
    }

    [Fact]
    public void Should_name_a_writers_log_shorter_than_the_replica_and_a_device_behind_what_it_confirmed()
    {
        var (deviceLog, mirrorLog) = Logs();

        var findings = CrossCheck.Compare(DeviceCopy(deviceLog.Slice(1, 3), mirrorLog.Slice(1, 2)), MirrorCopy(deviceLog.Entries, mirrorLog.Entries, 4));

        Assert.Collection(findings,
            shrank => Assert.Equal((FindingPlace.DeviceLog, 4L, true), (shrank.Place, shrank.Sequence, shrank.Reason.Contains("the log shrank"))),
            behind => Assert.Equal((FindingPlace.MirrorLog, 3L, true), (behind.Place, behind.Sequence, behind.Reason.Contains("confirmed holding the mirror log through entry 4"))));
    }

    [Fact]
    public void Should_refuse_to_compare_two_copies_of_one_side_or_of_two_devices()
    {
        var (deviceLog, mirrorLog) = Logs();
        var device = DeviceCopy(deviceLog.Entries, mirrorLog.Entries);

        Assert.Throws<InspectionException>(() => CrossCheck.Compare(device, device));
        Assert.Throws<InspectionException>(() => CrossCheck.Compare(device, MirrorCopy([], [], 0) with { Device = new DeviceId("dev-b") }));
    }

    [Fact]
    public void Should_hold_both_copies_to_the_heads_both_sides_confirmed_at_their_last_sync()
    {
        var (deviceLog, mirrorLog) = Logs();
        // The device's log rewritten from entry 3, and the mirror's replica cut back to 2 entries:
        // the copies no longer contradict each other, but both sides confirmed entry 4's head.
        var rewritten = deviceLog.Slice(1, 2).Concat(Tamper.Relink(
            deviceLog.Slice(3, 5).Select((e, i) => i == 0 ? e with { Argv = ["rm", "-rf", "/evidence"] } : e), deviceLog.PositionAt(2))).ToArray();
        var agreed = new SyncView(deviceLog.PositionAt(4), mirrorLog.PositionAt(4), Sha256Hash.Zero);
        var device = DeviceCopy(rewritten, mirrorLog.Entries);
        var mirror = MirrorCopy(deviceLog.Slice(1, 2), mirrorLog.Entries, 4) with { AgreedAtLastSync = agreed };

        Assert.Empty(CrossCheck.Compare(device, mirror with { AgreedAtLastSync = null }));
        var findings = CrossCheck.Compare(device, mirror);

        Assert.Contains(findings, f => f.Place == FindingPlace.DeviceLog && f.Sequence == 4 && f.Reason.Contains("device's copy (device.db) has", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Place == FindingPlace.DeviceLog && f.Sequence == 3 && f.Reason.Contains("mirror's copy (mirror.db) ends at entry 2", StringComparison.Ordinal));
        Assert.Empty(CrossCheck.Compare(DeviceCopy(deviceLog.Entries, mirrorLog.Entries), MirrorCopy(deviceLog.Entries, mirrorLog.Entries, 4) with { AgreedAtLastSync = agreed }));
    }
}
