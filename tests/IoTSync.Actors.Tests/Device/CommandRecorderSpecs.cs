using System.Collections.Immutable;
using Akka.Actor;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Model;
using Xunit;
using static IoTSync.Device.CommandRecorderMessages;
using static IoTSync.Logs.LogHolderMessages;

namespace IoTSync.Tests.Device;

public sealed class CommandRecorderSpecs : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private static readonly DeviceId Device = new("dev-1");
    private readonly SqliteTestDatabase _db = new();
    private readonly FakeCommandRunner _runner = new();
    private readonly FakeWallClock _clock = new();

    private IActorRef Recorder(ActorSystem system, int snapshotEvery = 1000) => system.ActorOf(CommandRecorder.Props(Device,
        new CommandRecorderSettings("device:dev-1", TimeSpan.FromSeconds(5), _db.LogHolder(snapshotEvery)), _runner, _clock), "recorder");

    [Fact]
    public async Task Should_record_a_device_command_with_its_result()
    {
        var recorder = Recorder(_db.Start());

        var done = await recorder.Ask<CommandCompleted>(new RecordCommand(["uptime", "-p"], "operator"), Timeout);

        Assert.Equal(1, done.Command.Sequence);
        Assert.Equal(["uptime", "-p"], done.Command.Argv.ToArray());
        Assert.NotNull(done.Result);
        Assert.Equal(new CommandRef(Origin.Device, 1), done.Result!.Target);
        Assert.Equal(CommandOutcome.Executed, done.Result.Result!.Outcome);
        Assert.Equal("ran uptime -p", done.Result.Result.Output);
        var view = await recorder.Ask<SyncView>(GetView.Instance, Timeout);
        Assert.Equal(2, view.DeviceLog.Length);
        Assert.Equal(done.Result.Hash, view.DeviceLog.Head);
    }

    [Fact]
    public async Task Should_record_a_property_operation_without_running_it()
    {
        var recorder = Recorder(_db.Start());

        var done = await recorder.Ask<CommandCompleted>(new RecordCommand(["set", "mode", "eco"], "operator"), Timeout);

        Assert.Null(done.Result);
        Assert.Empty(_runner.Ran);
        var state = await recorder.Ask<CommandRecorderState>(GetState.Instance, Timeout);
        Assert.Equal("eco", state.Logs.Model.Get("mode"));
    }

    [Fact]
    public async Task Should_refuse_an_empty_command_and_write_nothing()
    {
        var recorder = Recorder(_db.Start());

        await Assert.ThrowsAsync<ArgumentException>(() => recorder.Ask<CommandCompleted>(new RecordCommand([], "operator"), Timeout));

        Assert.Equal(0, (await recorder.Ask<SyncView>(GetView.Instance, Timeout)).DeviceLog.Length);
    }

    [Fact]
    public async Task Should_come_back_with_both_logs_and_the_model_after_a_restart()
    {
        var first = _db.Start(snapshotEvery: 4);
        var recorder = Recorder(first, snapshotEvery: 4);
        for (var i = 0; i < 5; i++)
            await recorder.Ask<CommandCompleted>(new RecordCommand(["set", $"k{i}", $"v{i}"], "operator"), Timeout);
        await recorder.Ask<CommandCompleted>(new RecordCommand(["echo", "hello"], "operator"), Timeout);
        var before = await recorder.Ask<CommandRecorderState>(GetState.Instance, Timeout);
        var entriesBefore = await recorder.Ask<LogRange>(new ReadLog(Origin.Device, 1, 100), Timeout);
        await SqliteTestDatabase.Stop(first);

        var again = Recorder(_db.Start(snapshotEvery: 4), snapshotEvery: 4);
        var after = await again.Ask<CommandRecorderState>(GetState.Instance, Timeout);
        var entriesAfter = await again.Ask<LogRange>(new ReadLog(Origin.Device, 1, 100), Timeout);

        Assert.Equal(before.Logs.View, after.Logs.View);
        Assert.Equal(7, after.Logs.DeviceLog.Length);
        Assert.Equal(before.Logs.Model.Digest(), after.Logs.Model.Digest());
        Assert.Equal(entriesBefore.Entries.Select(e => e.Hash), entriesAfter.Entries.Select(e => e.Hash));
        Assert.Equal(7, entriesAfter.Entries.Length);
        Assert.Single(_runner.Ran);
    }

    [Fact]
    public async Task Should_record_an_interrupted_command_as_failed_after_a_restart_and_never_run_it_again()
    {
        var first = _db.Start();
        var recorder = Recorder(first);
        recorder.Tell(new RecordCommand(["hang", "forever"], "operator"));
        await Polling.Until(async () => (await recorder.Ask<CommandRecorderState>(GetState.Instance, Timeout)).Started.Count == 1);
        await SqliteTestDatabase.Stop(first);

        var again = Recorder(_db.Start());
        await Polling.Until(async () => (await again.Ask<SyncView>(GetView.Instance, Timeout)).DeviceLog.Length == 2);
        var entries = await again.Ask<LogRange>(new ReadLog(Origin.Device, 1, 10), Timeout);

        var result = entries.Entries[1];
        Assert.Equal(EntryKind.Result, result.Kind);
        Assert.Equal(CommandOutcome.Failed, result.Result!.Outcome);
        Assert.Contains("interrupted", result.Result.Output);
        Assert.Single(_runner.Ran);
    }

    [Fact]
    public async Task Should_store_mirror_entries_run_their_commands_and_answer_with_results_in_the_view()
    {
        var recorder = Recorder(_db.Start());
        var mirror = LogPosition.Empty(Device, Origin.Mirror);
        var command = LogEntry.NewCommand(mirror, Origin.Mirror, new HlcTimestamp(1, 0), "operator", ["reboot", "--soft"]);
        var expired = LogEntry.NewCommand(mirror.After(command), Origin.Mirror, new HlcTimestamp(2, 0), "operator", ["wipe"], notAfterUnixMs: _clock.UtcNowMs - 1);

        var answer = await recorder.Ask<AppendAnswer>(new AppendMirrorEntries([command, expired]), Timeout);

        Assert.Equal(Verdict.Appendable, answer.Verdict);
        Assert.Equal(2, answer.View.MirrorLog.Length);
        Assert.Equal(2, answer.View.DeviceLog.Length);
        Assert.Equal(["reboot --soft"], _runner.Ran);
        var results = (await recorder.Ask<LogRange>(new ReadLog(Origin.Device, 1, 10), Timeout)).Entries;
        Assert.Equal([CommandOutcome.Executed, CommandOutcome.Expired], results.Select(r => r.Result!.Outcome));

        var replay = await recorder.Ask<AppendAnswer>(new AppendMirrorEntries([command, expired]), Timeout);
        Assert.Equal(Verdict.AlreadyHeld, replay.Verdict);
        Assert.Equal(answer.View, replay.View);
        Assert.Single(_runner.Ran);
    }

    [Fact]
    public async Task Should_refuse_a_forged_mirror_entry_and_store_nothing()
    {
        var recorder = Recorder(_db.Start());
        var command = LogEntry.NewCommand(LogPosition.Empty(Device, Origin.Mirror), Origin.Mirror, new HlcTimestamp(1, 0), "operator", ["reboot"]);
        var forged = command with { Argv = ["rm", "-rf", "/"] };

        var answer = await recorder.Ask<AppendAnswer>(new AppendMirrorEntries([forged]), Timeout);

        Assert.Equal(Verdict.BadHash, answer.Verdict);
        Assert.Equal(1, answer.Sequence);
        Assert.Equal(0, answer.View.MirrorLog.Length);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task Should_count_a_forged_mirror_entry_in_the_nodes_refusal_counters()
    {
        var refusals = new IoTSync.Security.Refusals();
        var recorder = _db.Start().ActorOf(CommandRecorder.Props(Device,
            new CommandRecorderSettings("device:dev-1", TimeSpan.FromSeconds(5), _db.LogHolder()), _runner, _clock, refusals), "recorder");
        var command = LogEntry.NewCommand(LogPosition.Empty(Device, Origin.Mirror), Origin.Mirror, new HlcTimestamp(1, 0), "operator", ["reboot"]);

        await recorder.Ask<AppendAnswer>(new AppendMirrorEntries([command with { Argv = ["rm", "-rf", "/"] }]), Timeout);

        Assert.Equal(new Dictionary<string, long> { [IoTSync.Security.Refusals.BatchBadHash] = 1 }, refusals.Snapshot());
    }

    public void Dispose() => _db.Dispose();
}
