using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Persistence;
using IoTSync.Protocol;
using IoTSync.Sync;
using static IoTSync.Device.CommandRecorderMessages;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Bench;

/// <summary>
/// Writes a small <c>device.db</c> and <c>mirror.db</c> with the real actors — the device records
/// commands, the mirror leaves commands for it, an exchange carries both ways, a second device is
/// marked diverged — so the journal commands have something to show before the demo exists.
/// </summary>
public sealed class SampleJournals(string directory)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly DeviceId Device = new("demo-device");

    public async Task<int> Run()
    {
        Directory.CreateDirectory(directory);
        var devicePath = Path.Combine(directory, "device.db");
        var mirrorPath = Path.Combine(directory, "mirror.db");
        foreach (var path in new[] { devicePath, mirrorPath })
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
                File.Delete(file);

        var deviceSystem = Start("device", devicePath);
        var mirrorSystem = Start("mirror", mirrorPath);
        try
        {
            var recorder = deviceSystem.ActorOf(CommandRecorder.Props(Device,
                CommandRecorderSettings.FromConfig(Config(devicePath)), new EchoRunner(), SystemWallClock.Instance), "recorder");
            var mirrorSettings = StateJournalSettings.FromConfig(Config(mirrorPath));
            var journal = mirrorSystem.ActorOf(StateJournal.Props(Device, mirrorSettings, SystemWallClock.Instance), "journal");
            var otherDevice = new DeviceId("field-unit-7");
            var other = mirrorSystem.ActorOf(StateJournal.Props(otherDevice, mirrorSettings, SystemWallClock.Instance), "other");

            await recorder.Ask<CommandCompleted>(new RecordCommand(["uname", "-a"], "operator"), Timeout);
            await recorder.Ask<CommandCompleted>(new RecordCommand(["set", "mode", "eco"], "operator"), Timeout);
            await journal.Ask<Submitted>(new SubmitCommand(Device, ["set", "mode", "boost"], "dashboard", null), Timeout);
            await journal.Ask<Submitted>(new SubmitCommand(Device, ["collect-logs", "--since", "1h"], "dashboard", null), Timeout);
            await journal.Ask<Submitted>(new SubmitCommand(Device, ["set", "fan", "on"], "dashboard", null), Timeout);

            var settings = ExchangeSettings.Default;
            var deviceSide = new DeviceExchange(Device, new CommandRecorderSide(recorder, Timeout), settings);
            var report = await new MirrorExchange(Device, new StateJournalSide(journal, Timeout, Device), new DirectChannel(deviceSide), settings)
                .Run("sample-session", CancellationToken.None);
            if (!report.Converged)
                throw new InvalidOperationException($"the sample exchange did not converge: {report}");

            await journal.Ask<Submitted>(new SubmitCommand(Device, ["reboot"], "dashboard", null), Timeout);
            await recorder.Ask<CommandCompleted>(new RecordCommand(["set", "led", "blue"], "operator"), Timeout);
            await other.Ask<Submitted>(new SubmitCommand(otherDevice, ["set", "mode", "eco"], "dashboard", null), Timeout);
            await other.Ask<Acknowledged>(new MarkDiverged(otherDevice, Origin.Device, Verdict.LogShrank, 3, "device reported 2 entries"), Timeout);
        }
        finally
        {
            await deviceSystem.Terminate();
            await mirrorSystem.Terminate();
            SqlitePersistence.ClearPool(devicePath);
            SqlitePersistence.ClearPool(mirrorPath);
        }
        Console.WriteLine($"wrote {devicePath} (device demo-device) and {mirrorPath} (devices demo-device, field-unit-7)");
        return 0;
    }

    private static Config Config(string path) => ConfigurationFactory.ParseString($$"""
        iotsync.persistence { database-path = "{{path.Replace("\\", "\\\\")}}", synchronous = FULL, snapshot-every = 4 }
        iotsync.device { id = "demo-device", issuer = "device", execution-budget = 5s }
        iotsync.mirror { max-open-commands = 100, max-command-bytes = 65536, window-history { keep-windows = 256, keep-for = 30d, snapshot-every = 64 } }
        akka.loglevel = WARNING
        """);

    private static ActorSystem Start(string name, string path) => ActorSystem.Create(name, IoTSyncSystem.Setup(Config(path)));

    /// <summary>"Runs" a device command by answering with its argument vector: nothing is executed.</summary>
    private sealed class EchoRunner : ICommandRunner
    {
        public Task<ResultFields> Run(ImmutableArray<string> argv, CancellationToken cancellationToken) =>
            Task.FromResult(new ResultFields(CommandOutcome.Executed, 0, "sample run of: " + string.Join(' ', argv), false, 3));
    }

    /// <summary>The exchange in one process: the mirror's requests go straight to the device's handler.</summary>
    private sealed class DirectChannel(DeviceExchange device) : IExchangeChannel
    {
        public Task<ExchangeMessage> Send(ExchangeMessage request, CancellationToken cancellationToken) => device.Handle(request, cancellationToken);
    }
}
