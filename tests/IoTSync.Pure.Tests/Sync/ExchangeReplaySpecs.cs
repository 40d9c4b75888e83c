using IoTSync.Logs;
using IoTSync.Protocol;
using IoTSync.Sync;
using Xunit;

namespace IoTSync.Tests.Sync;

/// <summary>Replication is idempotent: whatever is delivered again changes nothing and runs nothing again.</summary>
public sealed class ExchangeReplaySpecs
{
    private static async Task<SyncRig> BothWrote(ExchangeSettings? settings = null)
    {
        var rig = await SyncRig.Create(settings);
        rig.MirrorSide.Submit("echo", "m1");
        rig.MirrorSide.Set("mode", "turbo");
        rig.MirrorSide.Submit("echo", "m2");
        await rig.DeviceSide.Exec("echo", "d1");
        await rig.DeviceSide.Set("fan", "on");
        return rig;
    }

    [Fact]
    public async Task Should_change_nothing_when_the_same_exchange_runs_again()
    {
        var rig = await BothWrote();
        var first = await rig.Converge();
        var mirrorEvents = rig.MirrorJournal.Events;
        var deviceEvents = rig.DeviceJournal.Events;
        var runs = rig.Runner.Calls.Count;

        var second = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.Converged, second.Outcome);
        Assert.Equal(0, second.EntriesPushed);
        Assert.Equal(0, second.EntriesPulled);
        Assert.Equal(first.MirrorView, second.MirrorView);
        Assert.Equal(first.DeviceView, second.DeviceView);
        Assert.Equal(mirrorEvents, rig.MirrorJournal.Events);
        Assert.Equal(deviceEvents, rig.DeviceJournal.Events);
        Assert.Equal(runs, rig.Runner.Calls.Count);
        rig.AssertConvergedInvariants();
    }

    [Fact]
    public async Task Should_change_nothing_when_both_sides_restart_and_the_exchange_runs_again()
    {
        var rig = await BothWrote();
        var first = await rig.Converge();
        var mirrorEvents = rig.MirrorJournal.Count;
        var deviceEvents = rig.DeviceJournal.Count;

        await rig.Restart();
        var second = await rig.Exchange();

        Assert.Equal(ExchangeOutcome.Converged, second.Outcome);
        Assert.Equal(first.DeviceView, second.DeviceView);
        Assert.Equal(mirrorEvents, rig.MirrorJournal.Count);
        Assert.Equal(deviceEvents, rig.DeviceJournal.Count);
        Assert.Equal(3, rig.Runner.Calls.Count); // m1, m2 and d1, each once
        rig.AssertConvergedInvariants();
    }

    [Fact]
    public async Task Should_accept_a_push_the_device_already_holds_without_storing_or_running_anything()
    {
        var rig = await BothWrote();
        var pushed = rig.MirrorSide.MirrorLog;
        var endpoint = new DeviceExchange(rig.Device, rig.DeviceSide, rig.Settings);
        var hello = await endpoint.Handle(new Hello(rig.Device, "s", ExchangeMessage.ProtocolVersion, rig.MirrorSide.State.Logs.View), default);
        Assert.IsType<Hello>(hello);
        var first = Assert.IsType<PushAccepted>(await endpoint.Handle(new PushEntries([.. pushed]), default));
        var events = rig.DeviceJournal.Events;
        var runs = rig.Runner.Calls.Count;

        var again = await endpoint.Handle(new PushEntries([.. pushed]), default);

        var accepted = Assert.IsType<PushAccepted>(again);
        Assert.Equal(first.View, accepted.View);
        Assert.Equal(events, rig.DeviceJournal.Events);
        Assert.Equal(runs, rig.Runner.Calls.Count);
        Assert.Equal(Verdict.AlreadyHeld, ChainVerifier.CheckBatch(rig.Device, Origin.Mirror, rig.DeviceSide.State.Logs.MirrorLog, pushed).Verdict);
    }

    [Fact]
    public async Task Should_store_only_the_new_tail_of_a_push_that_overlaps_what_the_device_holds()
    {
        var rig = await BothWrote();
        await rig.Converge();
        var more = rig.MirrorSide.Submit("echo", "m3");
        var endpoint = new DeviceExchange(rig.Device, rig.DeviceSide, rig.Settings);
        Assert.IsType<Hello>(await endpoint.Handle(new Hello(rig.Device, "s", ExchangeMessage.ProtocolVersion, rig.MirrorSide.State.Logs.View), default));
        var entryEvents = rig.DeviceJournal.CountOf<EntryAppended>();

        var answer = await endpoint.Handle(new PushEntries([.. rig.MirrorSide.MirrorLog]), default);

        var accepted = Assert.IsType<PushAccepted>(answer);
        Assert.Equal(rig.MirrorSide.State.Logs.MirrorLog, accepted.View.MirrorLog);
        Assert.Equal(entryEvents + 2, rig.DeviceJournal.CountOf<EntryAppended>()); // m3 and its result
        Assert.Equal(1, rig.Runner.CountOf(more.Argv));
        Assert.Equal(1, rig.Runner.CountOf(["echo", "m1"]));
    }

    [Fact]
    public async Task Should_converge_without_duplicates_when_every_push_is_delivered_twice()
    {
        var rig = await BothWrote(new ExchangeSettings(MaxBatchEntries: 1));

        var report = await rig.Exchange(wrap: inner => new DuplicatingChannel(inner, m => m is PushEntries));

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(6, rig.Count<PushEntries>());
        rig.AssertConvergedInvariants();
        Assert.Equal(1, rig.Runner.CountOf(["echo", "m1"]));
        Assert.Equal(1, rig.Runner.CountOf(["echo", "m2"]));
    }

    [Fact]
    public async Task Should_converge_without_duplicates_when_every_pull_is_delivered_twice()
    {
        var rig = await BothWrote(new ExchangeSettings(MaxBatchEntries: 1));

        var report = await rig.Exchange(wrap: inner => new DuplicatingChannel(inner, m => m is PullRequest));

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(2 * 5, rig.Count<PullRequest>());
        Assert.Equal(5, report.EntriesPulled);
        rig.AssertConvergedInvariants();
    }

    [Fact]
    public async Task Should_store_and_run_nothing_when_an_old_session_is_replayed_to_the_device()
    {
        var rig = await BothWrote();
        await rig.Converge();
        var recorded = rig.Channel!.Requests.ToList();
        var events = rig.DeviceJournal.Events;
        var runs = rig.Runner.Calls.Count;

        var endpoint = new DeviceExchange(rig.Device, rig.DeviceSide, rig.Settings);
        foreach (var request in recorded)
            await endpoint.Handle(InMemoryChannel.RoundTrip(request), default);

        Assert.Equal(events, rig.DeviceJournal.Events);
        Assert.Equal(runs, rig.Runner.Calls.Count);
        Assert.True(endpoint.IsClosed);
    }

    /// <summary>Delivers the chosen requests twice and returns the second answer.</summary>
    private sealed class DuplicatingChannel(IExchangeChannel inner, Func<ExchangeMessage, bool> twice) : IExchangeChannel
    {
        public async Task<ExchangeMessage> Send(ExchangeMessage request, CancellationToken cancellationToken)
        {
            var answer = await inner.Send(request, cancellationToken);
            return twice(request) ? await inner.Send(request, cancellationToken) : answer;
        }
    }
}
