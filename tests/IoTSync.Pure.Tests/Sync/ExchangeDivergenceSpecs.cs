using IoTSync.Logs;
using IoTSync.Protocol;
using IoTSync.Sync;
using Xunit;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.Tests.Sync;

/// <summary>
/// A log never shrinks and never changes under the same length: a hello that says otherwise
/// marks the device diverged at the mirror, the exchange stops, and nothing is applied.
/// </summary>
public sealed class ExchangeDivergenceSpecs
{
    [Fact]
    public async Task Should_not_exchange_anything_with_a_device_marked_diverged()
    {
        var rig = await SyncRig.Create();
        await rig.DeviceSide.Set("a", "1");
        await rig.Converge();
        rig.DeviceJournal.LoseLastEntries(Origin.Device, 1);
        await rig.Restart();
        Assert.Equal(ExchangeOutcome.RefusedByMirror, (await rig.Exchange()).Outcome);
        rig.MirrorSide.Submit("reboot");
        var mirrorView = rig.MirrorSide.State.Logs.View;
        var deviceEvents = rig.DeviceJournal.Events;

        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.Diverged, report.Outcome);
        Assert.Contains("LogShrank", report.Detail);
        Assert.Empty(rig.Channel!.Requests);
        Assert.Empty(rig.Runner.Calls);
        Assert.Equal(mirrorView, rig.MirrorSide.State.Logs.View);
        Assert.Equal(deviceEvents, rig.DeviceJournal.Events);
    }

    [Fact]
    public async Task Should_mark_a_device_that_lost_entries_diverged_at_the_mirrors_hello_check()
    {
        var rig = await SyncRig.Create();
        await rig.DeviceSide.Set("a", "1");
        await rig.DeviceSide.Set("a", "2");
        await rig.DeviceSide.Set("a", "3");
        await rig.Converge();
        rig.DeviceJournal.LoseLastEntries(Origin.Device, 1); // restored from an older backup
        await rig.Restart();
        var deviceEvents = rig.DeviceJournal.Events;
        var mirrorEntries = rig.MirrorJournal.CountOf<EntryAppended>();
        var mirrorView = rig.MirrorSide.State.Logs.View;

        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.RefusedByMirror, report.Outcome);
        Assert.Equal(Verdict.LogShrank, report.Refusal!.Verdict);
        Assert.Equal(2, report.DeviceView!.DeviceLog.Length);
        var divergence = Assert.Single(rig.MirrorJournal.Events.OfType<DivergenceDetected>());
        Assert.Equal(Origin.Device, divergence.Log);
        Assert.Equal(Verdict.LogShrank, divergence.Verdict);
        Assert.True(rig.MirrorSide.State.IsDiverged);
        Assert.Equal(mirrorEntries, rig.MirrorJournal.CountOf<EntryAppended>());
        Assert.Equal(mirrorView, rig.MirrorSide.State.Logs.View);
        Assert.Equal(deviceEvents, rig.DeviceJournal.Events);
        Assert.Equal([typeof(Hello), typeof(Refused)], rig.Channel!.Requests.Select(r => r.GetType()));
    }

    [Fact]
    public async Task Should_mark_the_device_diverged_when_the_mirrors_replica_claims_more_device_entries_than_the_device_has()
    {
        var rig = await SyncRig.Create();
        var d1 = (await rig.DeviceSide.Set("a", "1")).Command;
        await rig.Converge();
        rig.MirrorJournal.Persist(new EntryAppended(LogEntry.NewCommand(new LogPosition(d1.Sequence, d1.Hash), Origin.Device,
            d1.Timestamp, InMemoryDeviceSide.Issuer, ["set", "a", "phantom"])));
        await rig.Restart();
        var deviceEvents = rig.DeviceJournal.Events;

        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.RefusedByMirror, report.Outcome);
        Assert.Equal(Verdict.LogShrank, report.Refusal!.Verdict);
        Assert.Equal(Origin.Device, Assert.Single(rig.MirrorJournal.Events.OfType<DivergenceDetected>()).Log);
        Assert.Equal(deviceEvents, rig.DeviceJournal.Events);
    }

    [Fact]
    public async Task Should_mark_the_mirror_log_diverged_when_the_device_holds_more_of_it_than_the_mirror_wrote()
    {
        var rig = await SyncRig.Create();
        rig.MirrorSide.Set("a", "1");
        rig.MirrorSide.Set("a", "2");
        await rig.Converge();
        rig.MirrorJournal.LoseLastEntries(Origin.Mirror, 1); // the mirror restored from an older backup
        await rig.Restart();
        var deviceEvents = rig.DeviceJournal.Events;
        var mirrorEntries = rig.MirrorJournal.CountOf<EntryAppended>();

        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.RefusedByMirror, report.Outcome);
        Assert.Equal(Verdict.Fork, report.Refusal!.Verdict);
        var divergence = Assert.Single(rig.MirrorJournal.Events.OfType<DivergenceDetected>());
        Assert.Equal(Origin.Mirror, divergence.Log);
        Assert.Equal(mirrorEntries, rig.MirrorJournal.CountOf<EntryAppended>());
        Assert.Equal(deviceEvents, rig.DeviceJournal.Events);
    }

    [Fact]
    public async Task Should_mark_the_mirror_log_diverged_when_the_device_holds_another_entry_at_the_mirrors_head()
    {
        var rig = await SyncRig.Create();
        rig.MirrorSide.Set("a", "1");
        rig.MirrorSide.Set("a", "2");
        await rig.Converge();
        rig.MirrorJournal.LoseLastEntries(Origin.Mirror, 1);
        await rig.Restart();
        rig.MirrorSide.Set("a", "other"); // same length as the device's replica, another head
        var deviceEvents = rig.DeviceJournal.Events;

        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.RefusedByMirror, report.Outcome);
        Assert.Equal(Verdict.Fork, report.Refusal!.Verdict);
        Assert.Equal(Origin.Mirror, Assert.Single(rig.MirrorJournal.Events.OfType<DivergenceDetected>()).Log);
        Assert.Equal(deviceEvents, rig.DeviceJournal.Events);
        Assert.Equal("2", rig.DeviceSide.State.Logs.Model.Get("a"));
    }
}
