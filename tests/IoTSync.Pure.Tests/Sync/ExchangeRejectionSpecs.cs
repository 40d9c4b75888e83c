using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Protocol;
using IoTSync.Sync;
using Xunit;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.Tests.Sync;

/// <summary>
/// A receiver applies a batch only if it continues its replica exactly; anything else rejects
/// the whole batch, applies nothing, and the reason reaches the caller of the exchange.
/// </summary>
public sealed class ExchangeRejectionSpecs
{
    public static TheoryData<string> SpoiledBatches() =>
        ["drop-first", "skip-one", "change-content", "change-link", "other-device", "other-log", "wrong-origin", "no-argv"];

    // --- the device refuses what the mirror pushes ---

    [Theory]
    [MemberData(nameof(SpoiledBatches))]
    public async Task Should_refuse_a_spoiled_push_at_the_device_and_store_nothing(string how)
    {
        var rig = await SyncRig.Create();
        rig.MirrorSide.Submit("echo", "m1");
        rig.MirrorSide.Set("mode", "turbo");
        rig.MirrorSide.Submit("echo", "m3");
        var (change, verdict, sequence) = Tamper.Batch(how, rig.Device);
        var deviceView = rig.DeviceSide.State.Logs.View;
        var mirrorEvents = rig.MirrorJournal.Count;

        var report = await rig.Exchange(wrap: inner => new TamperingChannel(inner, request: Tamper.Pushes(change)));

        Assert.Equal(ExchangeOutcome.RefusedByDevice, report.Outcome);
        Assert.Equal(verdict, report.Refusal!.Verdict);
        Assert.Equal(sequence, report.Refusal.Sequence);
        Assert.Equal(0, report.EntriesPushed);
        Assert.Equal(0, rig.DeviceJournal.Count);
        Assert.Equal(deviceView, rig.DeviceSide.State.Logs.View);
        Assert.Empty(rig.Runner.Calls);
        Assert.True(rig.Endpoint!.IsClosed);
        Assert.Equal(mirrorEvents, rig.MirrorJournal.Count); // the device's refusal marks nothing at the mirror
        Assert.Equal(CommandStatus.Pending, rig.MirrorSide.State.StatusOf(1));
    }

    [Fact]
    public async Task Should_refuse_a_push_that_rewrites_an_entry_the_device_holds()
    {
        var rig = await SyncRig.Create();
        var m1 = rig.MirrorSide.Submit("echo", "m1");
        rig.MirrorSide.Submit("echo", "m2");
        await rig.Converge();
        var m3 = rig.MirrorSide.Submit("echo", "m3");
        var forged = rig.MirrorSide.MirrorLog[1] with { Argv = ["echo", "forged"] };
        var deviceEvents = rig.DeviceJournal.Events;
        var runs = rig.Runner.Calls.Count;

        var report = await rig.Exchange(wrap: inner => new TamperingChannel(inner,
            request: Tamper.Pushes(batch => Tamper.Relink([forged, .. batch], new LogPosition(m1.Sequence, m1.Hash)))));

        Assert.Equal(ExchangeOutcome.RefusedByDevice, report.Outcome);
        Assert.Equal(Verdict.Fork, report.Refusal!.Verdict);
        Assert.Equal(2, report.Refusal.Sequence);
        Assert.Equal(deviceEvents, rig.DeviceJournal.Events);
        Assert.Equal(runs, rig.Runner.Calls.Count);
        Assert.Equal(0, rig.Runner.CountOf(m3.Argv));
        Assert.Equal(0, rig.Runner.CountOf(["echo", "forged"]));
    }

    [Fact]
    public async Task Should_refuse_at_the_device_a_hello_that_claims_a_shorter_mirror_log_than_the_device_holds()
    {
        var rig = await SyncRig.Create();
        rig.MirrorSide.Submit("echo", "m1");
        rig.MirrorSide.Submit("echo", "m2");
        await rig.Converge();
        rig.MirrorSide.Submit("echo", "m3");
        var deviceEvents = rig.DeviceJournal.Events;
        var mirrorEvents = rig.MirrorJournal.Count;
        var shorter = LogPosition.Empty(rig.Device, Origin.Mirror);

        var report = await rig.Exchange(wrap: inner => new TamperingChannel(inner,
            request: m => m is Hello hello ? hello with { View = hello.View with { MirrorLog = shorter } } : m));

        Assert.Equal(ExchangeOutcome.RefusedByDevice, report.Outcome);
        Assert.Equal(Verdict.LogShrank, report.Refusal!.Verdict);
        // The device answers the hello (the mirror's own checks pass: only the claim in transit was
        // altered) and refuses the push that follows.
        Assert.Equal([typeof(Hello), typeof(PushEntries)], rig.Channel!.Requests.Select(r => r.GetType()));
        Assert.Equal(0, report.EntriesPushed);
        Assert.Equal(deviceEvents, rig.DeviceJournal.Events);
        Assert.Equal(2, rig.Runner.Calls.Count);
        Assert.Equal(mirrorEvents, rig.MirrorJournal.Count);
        Assert.True(rig.Endpoint!.IsClosed);
    }

    [Fact]
    public async Task Should_refuse_at_the_device_when_the_mirrors_replica_of_the_device_log_forks_from_it()
    {
        var rig = await SyncRig.Create();
        var d1 = (await rig.DeviceSide.Set("a", "1")).Command;
        await rig.Converge();
        // The mirror's replica gets another entry 2 than the device wrote.
        rig.MirrorJournal.Persist(new EntryAppended(LogEntry.NewCommand(new LogPosition(d1.Sequence, d1.Hash), Origin.Device,
            d1.Timestamp, InMemoryDeviceSide.Issuer, ["set", "a", "forged"])));
        await rig.DeviceSide.Set("a", "2");
        await rig.DeviceSide.Set("a", "3");
        await rig.Restart();
        var mirrorEntries = rig.MirrorJournal.CountOf<EntryAppended>();
        var deviceEvents = rig.DeviceJournal.Count;

        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.RefusedByDevice, report.Outcome);
        Assert.Equal(Verdict.Fork, report.Refusal!.Verdict);
        Assert.Equal(2, report.Refusal.Sequence);
        Assert.Equal(0, report.EntriesPulled);
        Assert.Equal(mirrorEntries, rig.MirrorJournal.CountOf<EntryAppended>());
        Assert.Equal(deviceEvents, rig.DeviceJournal.Count);
        Assert.Equal("forged", rig.MirrorSide.State.Logs.Model.Get("a"));
    }

    // --- the mirror refuses what it pulls ---

    [Theory]
    [MemberData(nameof(SpoiledBatches))]
    public async Task Should_refuse_a_spoiled_pull_at_the_mirror_and_store_nothing(string how)
    {
        var rig = await SyncRig.Create();
        await rig.DeviceSide.Set("mode", "eco");
        await rig.DeviceSide.Exec("echo", "d1"); // entry 2 is a command: every spoiling applies to it
        var (change, verdict, sequence) = Tamper.Batch(how, rig.Device);
        var mirrorView = rig.MirrorSide.State.Logs.View;
        var deviceEvents = rig.DeviceJournal.Count;

        var report = await rig.Exchange(wrap: inner => new TamperingChannel(inner, answer: Tamper.Pulls(change)));

        Assert.Equal(ExchangeOutcome.RefusedByMirror, report.Outcome);
        Assert.Equal(verdict, report.Refusal!.Verdict);
        Assert.Equal(sequence, report.Refusal.Sequence);
        Assert.Equal(0, report.EntriesPulled);
        Assert.Equal(0, rig.MirrorJournal.Count); // nothing stored, and no divergence marked for a spoiled batch
        Assert.Equal(mirrorView, rig.MirrorSide.State.Logs.View);
        Assert.Equal(deviceEvents, rig.DeviceJournal.Count);
        var told = Assert.IsType<Refused>(rig.Channel!.Requests[^1]);
        Assert.Equal(verdict, told.Verdict);
        Assert.True(rig.Endpoint!.IsClosed);
    }

    [Fact]
    public async Task Should_refuse_a_cancellation_written_by_the_device_as_malformed()
    {
        var rig = await SyncRig.Create();
        var m1 = rig.MirrorSide.Submit("echo", "m1");
        await rig.Converge();
        var mirrorEvents = rig.MirrorJournal.Count;
        var mirrorView = rig.MirrorSide.State.Logs.View;
        await rig.DeviceSide.Set("mode", "eco");
        var cancel = rig.DeviceSide.WriteRaw((head, now) =>
            LogEntry.Create(head, Origin.Device, EntryKind.Cancel, now, InMemoryDeviceSide.Issuer, target: m1.Ref));

        var report = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.RefusedByMirror, report.Outcome);
        Assert.Equal(Verdict.Malformed, report.Refusal!.Verdict);
        Assert.Equal(cancel.Sequence, report.Refusal.Sequence);
        Assert.Equal(mirrorEvents, rig.MirrorJournal.Count);
        Assert.Equal(mirrorView, rig.MirrorSide.State.Logs.View);
        Assert.Null(rig.MirrorSide.State.Logs.Model.Get("mode"));
    }

    [Fact]
    public async Task Should_refuse_pulled_entries_that_rewrite_the_device_log_and_mark_the_device_diverged()
    {
        var rig = await SyncRig.Create();
        var d1 = (await rig.DeviceSide.Set("a", "1")).Command;
        await rig.DeviceSide.Set("a", "2");
        await rig.Converge();
        await rig.DeviceSide.Set("a", "3");
        var mirrorEntries = rig.MirrorJournal.CountOf<EntryAppended>();
        var mirrorView = rig.MirrorSide.State.Logs.View;
        var forged = rig.DeviceSide.DeviceLog[1] with { Argv = ["set", "a", "forged"] };

        var report = await rig.Exchange(wrap: inner => new TamperingChannel(inner,
            answer: Tamper.Pulls(batch => Tamper.Relink([forged, .. batch], new LogPosition(d1.Sequence, d1.Hash)))));

        Assert.Equal(ExchangeOutcome.RefusedByMirror, report.Outcome);
        Assert.Equal(Verdict.Fork, report.Refusal!.Verdict);
        Assert.Equal(mirrorEntries, rig.MirrorJournal.CountOf<EntryAppended>());
        Assert.Equal(mirrorView, rig.MirrorSide.State.Logs.View);
        var divergence = Assert.Single(rig.MirrorJournal.Events.OfType<DivergenceDetected>());
        Assert.Equal(Origin.Device, divergence.Log);
        Assert.Equal(Verdict.Fork, divergence.Verdict);
        Assert.True(rig.MirrorSide.State.IsDiverged);
    }

    // --- answers out of protocol ---

    [Fact]
    public async Task Should_refuse_a_hello_answer_for_another_session_without_marking_divergence()
    {
        var rig = await SyncRig.Create();
        await rig.DeviceSide.Set("a", "1");

        var report = await rig.Exchange(wrap: inner => new TamperingChannel(inner,
            answer: m => m is Hello hello ? hello with { SessionId = "someone-else" } : m));

        Assert.Equal(ExchangeOutcome.RefusedByMirror, report.Outcome);
        Assert.Equal(Verdict.Malformed, report.Refusal!.Verdict);
        Assert.Equal(0, rig.MirrorJournal.Count);
    }

    [Fact]
    public async Task Should_report_a_protocol_error_when_pulled_entries_do_not_advance_the_replica()
    {
        var rig = await SyncRig.Create();
        await rig.DeviceSide.Set("a", "1");
        await rig.Converge();
        await rig.DeviceSide.Set("a", "2");
        var held = rig.MirrorSide.DeviceLogReplica;
        var mirrorEvents = rig.MirrorJournal.Count;

        var report = await rig.Exchange(wrap: inner => new TamperingChannel(inner, answer: Tamper.Pulls(_ => [.. held])));

        Assert.Equal(ExchangeOutcome.ProtocolError, report.Outcome);
        Assert.Equal(mirrorEvents, rig.MirrorJournal.Count);
    }

    [Fact]
    public async Task Should_report_a_protocol_error_when_the_device_sends_no_entries_it_claims_to_have()
    {
        var rig = await SyncRig.Create();
        await rig.DeviceSide.Set("a", "1");

        var report = await rig.Exchange(wrap: inner => new TamperingChannel(inner, answer: Tamper.Pulls(_ => [])));

        Assert.Equal(ExchangeOutcome.ProtocolError, report.Outcome);
        Assert.Equal(0, rig.MirrorJournal.Count);
    }
}
