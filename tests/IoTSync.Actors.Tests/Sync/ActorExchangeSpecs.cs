using Akka.Actor;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Serialization;
using IoTSync.Sync;
using Xunit;
using static IoTSync.Device.CommandRecorderMessages;
using static IoTSync.Logs.LogHolderMessages;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Sync;

/// <summary>
/// The exchange driven by the two real persistent actors, each in its own ActorSystem on its own
/// SQLite file, as the device node and the mirror node will run it.
/// </summary>
public sealed class ActorExchangeSpecs : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private static readonly DeviceId Device = new("dev-x");
    private readonly SqliteTestDatabase _deviceDb = new("device");
    private readonly SqliteTestDatabase _mirrorDb = new("mirror");
    private readonly FakeCommandRunner _runner = new();
    private readonly FakeWallClock _deviceClock = new(1_700_000_000_000);
    private readonly FakeWallClock _mirrorClock = new(1_700_000_000_000);

    private (IActorRef Recorder, IActorRef Journal, ActorSystem[] Systems) Start()
    {
        var deviceSystem = _deviceDb.Start(name: "device");
        var mirrorSystem = _mirrorDb.Start(name: "mirror");
        var recorder = deviceSystem.ActorOf(CommandRecorder.Props(Device,
            new CommandRecorderSettings("device:dev-x", TimeSpan.FromSeconds(5), _deviceDb.LogHolder()), _runner, _deviceClock), "recorder");
        var journal = mirrorSystem.ActorOf(StateJournal.Props(Device, StateJournalSettings.Default with { Journal = _mirrorDb.LogHolder() }, _mirrorClock), "journal");
        return (recorder, journal, [deviceSystem, mirrorSystem]);
    }

    private static Task<ExchangeReport> Exchange(IActorRef recorder, IActorRef journal, int maxBatch = 256)
    {
        var settings = new ExchangeSettings(maxBatch);
        var device = new DeviceExchange(Device, new CommandRecorderSide(recorder, Timeout), settings);
        var mirror = new MirrorExchange(Device, new StateJournalSide(journal, Timeout, Device), new CodecChannel(device), settings);
        return mirror.Run(Guid.NewGuid().ToString("n"), CancellationToken.None);
    }

    [Fact]
    public async Task Should_converge_when_both_sides_wrote_while_apart_and_again_after_both_restart()
    {
        var (recorder, journal, systems) = Start();
        await recorder.Ask<CommandCompleted>(new RecordCommand(["uname", "-a"], "device-operator"), Timeout);
        await recorder.Ask<CommandCompleted>(new RecordCommand(["set", "mode", "device-wins?"], "device-operator"), Timeout);
        _mirrorClock.UtcNowMs += 5;
        await journal.Ask<Submitted>(new SubmitCommand(Device, ["set", "mode", "mirror-later"], "app", null), Timeout);
        for (var i = 0; i < 5; i++)
            await journal.Ask<Submitted>(new SubmitCommand(Device, ["collect", $"{i}"], "app", null), Timeout);

        var report = await Exchange(recorder, journal, maxBatch: 2);

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(6, report.EntriesPushed);
        Assert.Equal(3 + 5, report.EntriesPulled);
        Assert.Equal(report.MirrorView, report.DeviceView);
        Assert.Equal(["uname -a", "collect 0", "collect 1", "collect 2", "collect 3", "collect 4"], _runner.Ran);
        var mirrorState = await journal.Ask<StateJournalState>(GetState.Instance, Timeout);
        Assert.Equal("mirror-later", mirrorState.Logs.Model.Get("mode"));
        Assert.Empty(mirrorState.Logs.Model.OpenCommands);
        for (var sequence = 2; sequence <= 6; sequence++)
            Assert.Equal(CommandOutcome.Executed, (await journal.Ask<CommandStatusReply>(new GetCommandStatus(Device, sequence), Timeout)).Outcome);

        var settled = await journal.Ask<SyncView>(GetView.Instance, Timeout);
        foreach (var system in systems)
            await SqliteTestDatabase.Stop(system);

        (recorder, journal, _) = Start();
        var again = await Exchange(recorder, journal);

        Assert.Equal(ExchangeOutcome.Converged, again.Outcome);
        Assert.Equal(0, again.EntriesPushed + again.EntriesPulled);
        Assert.Equal(settled, again.MirrorView);
        Assert.Equal(settled, again.DeviceView);
        Assert.Equal(6, _runner.Ran.Count);
    }

    [Fact]
    public async Task Should_run_no_exchange_for_a_device_the_state_journal_marked_diverged()
    {
        var (recorder, journal, _) = Start();
        await journal.Ask<Submitted>(new SubmitCommand(Device, ["reboot"], "app", null), Timeout);
        await journal.Ask<Acknowledged>(new MarkDiverged(Device, Origin.Device, Verdict.LogShrank, 3, "device reported 2 entries"), Timeout);

        var report = await Exchange(recorder, journal);

        Assert.Equal(ExchangeOutcome.Diverged, report.Outcome);
        Assert.Contains("LogShrank at 3", report.Detail);
        Assert.Equal(0, (await recorder.Ask<SyncView>(GetView.Instance, Timeout)).MirrorLog.Length);
        Assert.Empty(_runner.Ran);
    }

    public void Dispose()
    {
        _deviceDb.Dispose();
        _mirrorDb.Dispose();
    }
}
