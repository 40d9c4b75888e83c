using System.Security.Cryptography;
using System.Text.Json;
using IoTSync.Testing.Processes;
using IoTSync.Testing.Rig;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// <c>backup</c> and <c>restore</c> through the real executables: a backup of each running node taken
/// while it writes, verified, and restored into the stopped node, which starts holding what the backup
/// held; a restore refused while the node runs, changing nothing; a damaged backup refused by restore,
/// and a copy that does not verify not left behind as a backup.
/// </summary>
[Collection(NodeProcessLaneB.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BackupRestoreSpecs
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [SkippableFact]
    public async Task Should_back_up_a_running_mirror_while_commands_are_submitted_and_restore_it_into_the_stopped_mirror()
    {
        await using var rig = await NodeRig.Create();
        var deployment = rig.Deployment;
        await deployment.StartAll();
        await rig.AwaitConverged();
        var backup = Path.Combine(rig.Directory, "mirror-backup.db");

        // Commands keep arriving at the mirror (and syncing to the device) for as long as the backup runs.
        using var stop = new CancellationTokenSource();
        var count = new int[1];
        var submitting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await rig.LeaveAtMirror(["echo", $"during-backup-{Volatile.Read(ref count[0])}"]);
                Interlocked.Increment(ref count[0]);
            }
        });
        await NodeRig.Poll("commands being submitted", () => Task.FromResult(Volatile.Read(ref count[0]) >= 2 ? true : (bool?)null));
        var run = (await deployment.MirrorCli(["backup", "--out", backup])).EnsureSuccess("iotsync-mirror backup");
        await stop.CancelAsync();
        await submitting;

        Assert.Contains("all holds", run.Stdout);
        Assert.Contains($"written to {backup}", run.Stdout);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(backup));
        var held = await Logs(deployment, deployment.Binaries.MirrorDll, backup);

        await deployment.StopNodes();
        var replaced = Hash(deployment.MirrorDatabase);
        var restore = (await deployment.MirrorCli(["restore", "--from", backup])).EnsureSuccess("iotsync-mirror restore");
        var aside = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(deployment.MirrorDatabase)!, "mirror.db.replaced-*"), f => !f.EndsWith("-wal") && !f.EndsWith("-shm"));
        Assert.Contains($"kept as {aside}", restore.Stdout);
        Assert.Equal(replaced, Hash(aside));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(aside));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(deployment.MirrorDatabase));
        Assert.Equal(Hash(backup), Hash(deployment.MirrorDatabase));

        // Only the mirror: the device, ahead of the restored mirror, would have it mark the device diverged (see the report of restoring an older backup).
        await deployment.StartMirror();
        Assert.Equal(held, await Logs(deployment, deployment.Binaries.MirrorDll, null));
        var state = await deployment.MirrorJson("state", "--device", deployment.DeviceId);
        Assert.Equal(held.MirrorLength, state.GetProperty("view").GetProperty("mirrorLog").GetProperty("length").GetInt64());
    }

    [SkippableFact]
    public async Task Should_back_up_a_running_device_mid_cycle_and_restore_it_into_the_stopped_device()
    {
        await using var rig = await NodeRig.Create();
        var deployment = rig.Deployment;
        await deployment.StartAll();
        var first = await rig.LeaveAtMirror(["echo", "before-backup"]);
        await rig.AwaitResult(first);
        // A command left now syncs in one of the next windows: the device is writing through the backups below.
        var during = await rig.LeaveAtMirror(["echo", "during-backup"]);
        var backup = Path.Combine(rig.Directory, "device-backup.db");

        var run = (await deployment.DeviceCli(["backup", "--out", backup])).EnsureSuccess("iotsync-device backup");
        await rig.AwaitResult(during);

        Assert.Contains("all holds", run.Stdout);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(backup));
        var held = await Logs(deployment, deployment.Binaries.DeviceDll, backup);
        Assert.True(held.DeviceLength > 0, "the backup holds the device's log");

        await deployment.StopNodes();
        // The mirror's database verifies as a device's journal with nothing in it: refused for what it is.
        var wrongNode = await deployment.DeviceCli(["restore", "--from", deployment.MirrorDatabase]);
        Assert.True(wrongNode.ExitCode == 2, wrongNode.ToString());
        Assert.Contains("is a mirror node's database, not a device node's", wrongNode.Stderr);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(deployment.DeviceDatabase)!, "*.replaced-*"));
        // Another device's node would become this device: refused.
        var other = Path.Combine(deployment.Directory, "device", "other-device.hocon");
        var otherDatabase = Path.Combine(deployment.Directory, "device", "other-device.db");
        await File.WriteAllTextAsync(other, await File.ReadAllTextAsync(deployment.DeviceConfig) +
            $"\n# Another device beside it.\niotsync.device.id = \"other-device\"\n# Its own database.\niotsync.persistence.database-path = \"{otherDatabase}\"\n");
        var otherDevice = await NodeCliRunner.Run(deployment.Binaries.DeviceDll, ["restore", "--config", other, "--from", backup],
            timeout: TimeSpan.FromSeconds(60), dotnet: deployment.Binaries.Dotnet);
        Assert.True(otherDevice.ExitCode == 2, otherDevice.ToString());
        Assert.Contains($"holds device {deployment.DeviceId}'s log; this node is device other-device", otherDevice.Stderr);
        Assert.False(File.Exists(otherDatabase));
        (await deployment.DeviceCli(["restore", "--from", backup])).EnsureSuccess("iotsync-device restore");
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(deployment.DeviceDatabase)!, "device.db.replaced-*"), f => !f.EndsWith("-wal") && !f.EndsWith("-shm"));

        // The mirror stays stopped: the restored device is behind it, which the mirror would report as divergence.
        await deployment.StartDevice();
        var restored = await Logs(deployment, deployment.Binaries.DeviceDll, null);
        Assert.Equal((held.MirrorLength, held.MirrorHead), (restored.MirrorLength, restored.MirrorHead));
        // The backup may have caught the second command between its start and its result: the restored node then
        // records that result (from its runner's record), and nothing else.
        Assert.InRange(restored.DeviceLength, held.DeviceLength, held.DeviceLength + 1);
        if (restored.DeviceLength == held.DeviceLength)
            Assert.Equal(held.DeviceHead, restored.DeviceHead);
        (await deployment.DeviceCli(["journal", "verify"])).EnsureSuccess("iotsync-device journal verify after restore");
    }

    [SkippableFact]
    public async Task Should_refuse_to_restore_while_the_node_runs_and_change_nothing()
    {
        await using var rig = await NodeRig.Create();
        var deployment = rig.Deployment;
        await deployment.StartMirror();
        await deployment.Enroll();
        var backup = Path.Combine(rig.Directory, "mirror-backup.db");
        (await deployment.MirrorCli(["backup", "--out", backup])).EnsureSuccess("iotsync-mirror backup");
        var before = Snapshot(deployment.MirrorDatabase);

        var restore = await deployment.MirrorCli(["restore", "--from", backup]);

        Assert.Equal(2, restore.ExitCode);
        Assert.Single(restore.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Matches(@"^iotsync-mirror: another mirror node \(pid \d+\) is running on this configuration", restore.Stderr);
        Assert.Equal(before, Snapshot(deployment.MirrorDatabase));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(deployment.MirrorDatabase)!, "*.replaced-*"));
        Assert.False(File.Exists(deployment.MirrorDatabase + ".restoring"));
        Assert.False(deployment.Mirror!.HasExited);
    }

    [SkippableFact]
    public async Task Should_refuse_a_damaged_backup_at_restore_and_leave_no_backup_that_does_not_verify()
    {
        await using var rig = await NodeRig.Create();
        var deployment = rig.Deployment;
        await deployment.StartAll();
        await rig.AwaitResult(await rig.LeaveAtMirror(["echo", "kept"]));
        var backup = Path.Combine(rig.Directory, "mirror-backup.db");
        (await deployment.MirrorCli(["backup", "--out", backup])).EnsureSuccess("iotsync-mirror backup");
        await deployment.StopNodes();
        var before = Hash(deployment.MirrorDatabase);
        // No node running: the same command copies the stopped node's file.
        var ofStopped = Path.Combine(rig.Directory, "of-stopped.db");
        Assert.Contains("all holds", (await deployment.MirrorCli(["backup", "--out", ofStopped])).EnsureSuccess("iotsync-mirror backup of a stopped mirror").Stdout);
        Assert.Equal(before, Hash(deployment.MirrorDatabase));

        // A copy cut short (a full disk, an interrupted transfer), and one whose last event was altered.
        var truncated = Path.Combine(rig.Directory, "truncated.db");
        var bytes = await File.ReadAllBytesAsync(backup);
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 2)]);
        var tampered = Path.Combine(rig.Directory, "tampered.db");
        File.Copy(backup, tampered);
        Sqlite3.Run(tampered, "UPDATE journal SET message = CAST(message AS TEXT) WHERE persistence_id LIKE 'state-journal-%' AND sequence_number = (SELECT MAX(sequence_number) FROM journal WHERE persistence_id LIKE 'state-journal-%');");

        foreach (var damaged in new[] { truncated, tampered })
        {
            var restore = await deployment.MirrorCli(["restore", "--from", damaged]);
            Assert.True(restore.ExitCode == 1, $"{damaged}: {restore}");
            Assert.Contains("FAIL", restore.Stdout);
            Assert.Contains("nothing was restored", restore.Stderr);
            Assert.Equal(before, Hash(deployment.MirrorDatabase));
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(deployment.MirrorDatabase)!, "*.replaced-*"));
        }

        // A backup of a damaged database does not verify: the copy is deleted, not left to be trusted.
        File.Copy(tampered, deployment.MirrorDatabase, overwrite: true);
        var copy = Path.Combine(rig.Directory, "of-damaged.db");
        var run = await deployment.MirrorCli(["backup", "--out", copy]);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("FAIL", run.Stdout);
        Assert.Contains("no backup was written", run.Stderr);
        Assert.False(File.Exists(copy));
    }

    /// <summary>Each log's length and head for the one device, as <c>journal list --json</c> reads them (the node's database, or <paramref name="database"/>).</summary>
    private static async Task<HeldLogs> Logs(Deployment deployment, string dll, string? database)
    {
        var run = (database is null
            ? await (dll == deployment.Binaries.MirrorDll ? deployment.MirrorCli(["journal", "list", "--json"]) : deployment.DeviceCli(["journal", "list", "--json"]))
            : await NodeCliRunner.Run(dll, ["journal", "list", "--json", "--db", database], timeout: TimeSpan.FromSeconds(60), dotnet: deployment.Binaries.Dotnet))
            .EnsureSuccess("journal list");
        using var document = JsonDocument.Parse(run.Stdout);
        var actor = Assert.Single(document.RootElement.GetProperty("actors").EnumerateArray());
        var device = actor.GetProperty("deviceLog");
        var mirror = actor.GetProperty("mirrorLog");
        return new HeldLogs(device.GetProperty("length").GetInt64(), device.GetProperty("head").GetString()!,
            mirror.GetProperty("length").GetInt64(), mirror.GetProperty("head").GetString()!);
    }

    private sealed record HeldLogs(long DeviceLength, string DeviceHead, long MirrorLength, string MirrorHead);

    private static string Hash(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>The database and its -wal, byte for byte.</summary>
    private static (string Database, string? Wal) Snapshot(string database) =>
        (Hash(database), File.Exists(database + "-wal") ? Hash(database + "-wal") : null);
}
