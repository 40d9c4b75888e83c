using System.Collections.Immutable;
using Akka.Actor;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Persistence;
using IoTSync.Sync;
using Xunit;
using static IoTSync.Device.CommandRecorderMessages;
using static IoTSync.Logs.LogHolderMessages;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Inspection;

/// <summary>What one log-holding actor answered at the end of the scripted run: its state and both logs read back.</summary>
public sealed record ActorHolding(SyncView View, ImmutableArray<LogEntry> DeviceLog, ImmutableArray<LogEntry> MirrorLog, object State);

/// <summary>
/// A device node's and a mirror node's journals written by a short scripted run of the real actors
/// on SQLite files: the device records commands (one runs), the mirror leaves commands for it, an
/// exchange carries both ways, then each side writes one more entry. The mirror also holds a second
/// device, marked diverged. Snapshots every 4 events, so both files hold snapshots. Built once; the
/// specs read the files, or copies of them to tamper with.
/// </summary>
public sealed class NodeJournals : IAsyncLifetime
{
    public const int SnapshotEvery = 4;
    public static readonly DeviceId Device = new("dev-1");
    public static readonly DeviceId Diverged = new("dev-2");
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly SqliteTestDatabase _device = new("device");
    private readonly SqliteTestDatabase _mirror = new("mirror");

    public string DeviceDb => _device.Path;

    public string MirrorDb => _mirror.Path;

    /// <summary>The device's CommandRecorder for <see cref="Device"/>.</summary>
    public ActorHolding Recorder { get; private set; } = null!;

    /// <summary>The mirror's StateJournal for <see cref="Device"/>.</summary>
    public ActorHolding Journal { get; private set; } = null!;

    /// <summary>The mirror's StateJournal for <see cref="Diverged"/>.</summary>
    public ActorHolding DivergedJournal { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var deviceClock = new FakeWallClock(1_790_000_000_000);
        var mirrorClock = new FakeWallClock(1_790_000_000_000);
        var deviceSystem = _device.Start(SnapshotEvery, "device");
        var mirrorSystem = _mirror.Start(SnapshotEvery, "mirror");
        var recorder = deviceSystem.ActorOf(CommandRecorder.Props(Device,
            new CommandRecorderSettings("device:dev-1", TimeSpan.FromSeconds(10), _device.LogHolder(SnapshotEvery)), new FakeCommandRunner(), deviceClock), "recorder");
        var journalSettings = StateJournalSettings.Default with { Journal = _mirror.LogHolder(SnapshotEvery) };
        var journal = mirrorSystem.ActorOf(StateJournal.Props(Device, journalSettings, mirrorClock), "journal-1");
        var diverged = mirrorSystem.ActorOf(StateJournal.Props(Diverged, journalSettings, mirrorClock), "journal-2");

        await recorder.Ask<CommandCompleted>(new RecordCommand(["uname", "-a"], "operator"), Timeout);
        deviceClock.UtcNowMs += 10;
        await recorder.Ask<CommandCompleted>(new RecordCommand(["set", "mode", "eco"], "operator"), Timeout);
        mirrorClock.UtcNowMs += 20;
        await journal.Ask<Submitted>(new SubmitCommand(Device, ["set", "mode", "boost"], "app", null), Timeout);
        await journal.Ask<Submitted>(new SubmitCommand(Device, ["collect", "logs"], "app", null), Timeout);
        await journal.Ask<Submitted>(new SubmitCommand(Device, ["set", "fan", "on"], "app", null), Timeout);

        var settings = new ExchangeSettings(2);
        var deviceSide = new DeviceExchange(Device, new CommandRecorderSide(recorder, Timeout), settings);
        var report = await new MirrorExchange(Device, new StateJournalSide(journal, Timeout, Device), new CodecChannel(deviceSide), settings)
            .Run("session-1", CancellationToken.None);
        Assert.True(report.Converged, report.ToString());

        mirrorClock.UtcNowMs += 1000;
        await journal.Ask<Submitted>(new SubmitCommand(Device, ["reboot"], "app", null), Timeout);
        deviceClock.UtcNowMs += 1000;
        await recorder.Ask<CommandCompleted>(new RecordCommand(["set", "led", "blue"], "operator"), Timeout);

        await diverged.Ask<Submitted>(new SubmitCommand(Diverged, ["set", "x", "1"], "app", null), Timeout);
        await diverged.Ask<Acknowledged>(new MarkDiverged(Diverged, Origin.Device, Verdict.LogShrank, 3, "device reported 2 entries"), Timeout);

        Recorder = await Holding(recorder);
        Journal = await Holding(journal);
        DivergedJournal = await Holding(diverged);
        // Snapshots are saved after their event, not with it: stopping at once may leave the last one unwritten.
        await SnapshotsWritten(_device, "command-recorder-dev-1");
        await SnapshotsWritten(_mirror, "state-journal-dev-1");
        await SnapshotsWritten(_mirror, "state-journal-dev-2");
        await SqliteTestDatabase.Stop(deviceSystem);
        await SqliteTestDatabase.Stop(mirrorSystem);
        SqlitePersistence.ClearPool(DeviceDb);
        SqlitePersistence.ClearPool(MirrorDb);
    }

    /// <summary>Waits until the snapshot every <see cref="SnapshotEvery"/> events calls for is in the database.</summary>
    private static Task SnapshotsWritten(SqliteTestDatabase database, string persistenceId) =>
        Polling.Until(() =>
        {
            var events = database.ReadNumber("SELECT COALESCE(MAX(sequence_number), 0) FROM journal WHERE persistence_id = $id", persistenceId);
            var snapshot = database.ReadNumber("SELECT COALESCE(MAX(sequence_number), 0) FROM snapshot WHERE persistence_id = $id", persistenceId);
            return Task.FromResult(snapshot >= events - events % SnapshotEvery);
        }, TimeSpan.FromSeconds(30), $"the snapshots of {persistenceId}");

    private static async Task<ActorHolding> Holding(IActorRef actor)
    {
        var view = await actor.Ask<SyncView>(GetView.Instance, Timeout);
        var deviceLog = await actor.Ask<LogRange>(new ReadLog(Origin.Device, 1, 1000), Timeout);
        var mirrorLog = await actor.Ask<LogRange>(new ReadLog(Origin.Mirror, 1, 1000), Timeout);
        var state = await actor.Ask<object>(GetState.Instance, Timeout);
        return new ActorHolding(view, deviceLog.Entries, mirrorLog.Entries, state);
    }

    /// <summary>A copy of one database in a fresh directory of the returned scratch, to spoil.</summary>
    public string CopyOf(string database, ScratchDirectory scratch, string? name = null)
    {
        var target = Path.Combine(scratch.Path, name ?? Path.GetFileName(database));
        File.Copy(database, target);
        if (File.Exists(database + "-wal") && new FileInfo(database + "-wal").Length > 0)
            File.Copy(database + "-wal", target + "-wal");
        return target;
    }

    public Task DisposeAsync()
    {
        _device.Dispose();
        _mirror.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>A temporary directory, removed on dispose.</summary>
public sealed class ScratchDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("iotsync-journal-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        foreach (var database in Directory.EnumerateFiles(Path, "*.db"))
            SqlitePersistence.ClearPool(database);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a crashed child process; the OS cleans temp.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class NodeJournalsCollection : ICollectionFixture<NodeJournals>
{
    public const string Name = "node journals";
}
