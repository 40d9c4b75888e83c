using IoTSync.Tests.Nodes;
using Xunit;

namespace IoTSync.Tests.Persistence;

/// <summary>
/// The mirror node as a real process with its journal in a private PostgreSQL server: it enrols a device and
/// syncs a command each way with a real device node, and <c>journal list</c>, <c>stats</c> and <c>verify</c> read the
/// PostgreSQL journal through <c>--config</c> and agree with the nodes; a server out of reach stops the node at
/// start in one line, before anything is written; backup points to the server's tools.
/// </summary>
[Collection(NodeProcessLaneB.Name)]
public sealed class PostgresMirrorSpecs(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [SkippableFact]
    public async Task Should_sync_both_ways_with_the_journal_in_postgresql_and_read_it_back_with_the_journal_verbs()
    {
        using var database = await postgres.CreateDatabase();
        await using var rig = await NodeRig.Create(new DeploymentOptions { MirrorPostgresConnectionStringFile = database.ConnectionStringFile });
        var deployment = rig.Deployment;
        await deployment.StartAll();

        var sequence = await rig.LeaveAtMirror(["echo", "from the mirror"]);
        var result = await rig.AwaitResult(sequence);
        (await deployment.DeviceCli(["exec", "--", "echo", "from the device"])).EnsureSuccess("exec on the device");
        var view = await rig.AwaitConverged(v => v.GetProperty("deviceLog").GetProperty("length").GetInt64() >= 3);

        Assert.Equal("from the mirror\n", result.GetProperty("output").GetString());
        var deviceLog = view.GetProperty("deviceLog").GetProperty("length").GetInt64();
        var mirrorLog = view.GetProperty("mirrorLog").GetProperty("length").GetInt64();
        Assert.Equal((3L, 1L), (deviceLog, mirrorLog));
        // The journal is in PostgreSQL, not in the SQLite file the configuration still names for the lock.
        Assert.False(File.Exists(deployment.MirrorDatabase), $"{deployment.MirrorDatabase} was created");
        Assert.True(database.ReadNumber("SELECT COUNT(*) FROM journal WHERE persistence_id = $id", "state-journal-" + deployment.DeviceId) > 0, rig.Logs());

        var list = await deployment.MirrorJson("journal", "list");
        var verify = await deployment.MirrorCli(["journal", "verify"]);
        var stats = await deployment.MirrorJson("journal", "stats");

        Assert.Equal(database.Settings.Description, list.GetProperty("database").GetString());
        var actor = Assert.Single(list.GetProperty("actors").EnumerateArray());
        Assert.Equal(deployment.DeviceId, actor.GetProperty("device").GetString());
        Assert.Equal((deviceLog, mirrorLog), (actor.GetProperty("deviceLog").GetProperty("length").GetInt64(), actor.GetProperty("mirrorLog").GetProperty("length").GetInt64()));
        Assert.Equal(view.GetProperty("deviceLog").GetProperty("head").GetString(), actor.GetProperty("deviceLog").GetProperty("head").GetString());
        Assert.True(verify.ExitCode == 0, verify + rig.Logs());
        Assert.Contains($"ok    device {deployment.DeviceId} (mirror's copy in {database.Settings.Description}): device log 3@", verify.Stdout);
        Assert.Contains("all holds", verify.Stdout);
        Assert.Equal(database.Settings.Description, stats.GetProperty("database").GetString());
        Assert.True(stats.GetProperty("databaseBytes").GetInt64() > 0, stats.GetRawText());
        Assert.Equal(actor.GetProperty("events").GetInt64(), Assert.Single(stats.GetProperty("devices").EnumerateArray()).GetProperty("events").GetInt64());
        Assert.DoesNotContain(File.ReadAllText(database.ConnectionStringFile).Trim(), list.GetRawText() + stats.GetRawText() + verify.Stdout + verify.Stderr);
    }

    [SkippableFact]
    public async Task Should_refuse_to_start_with_postgresql_out_of_reach_in_one_line_and_write_nothing()
    {
        // A port nothing listens on; the connection string file is owner-only, as a real one must be.
        var directory = Directory.CreateTempSubdirectory("iotsync-pg-refusal-").FullName;
        try
        {
            var port = PrivateSshd.FreePort();
            var file = Path.Combine(directory, "postgresql.connection");
            await File.WriteAllTextAsync(file, $"Host=127.0.0.1;Port={port};Database=iotsync;Username=mirror;Password=not-the-point\n");
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await using var rig = await NodeRig.Create(new DeploymentOptions { MirrorPostgresConnectionStringFile = file });
            var deployment = rig.Deployment;

            var run = await deployment.MirrorCli(["run"]);
            var list = await deployment.MirrorCli(["journal", "list"]);
            var backup = await deployment.MirrorCli(["backup", "--out", Path.Combine(directory, "mirror.backup")]);

            Assert.Equal(2, run.ExitCode);
            Assert.Equal("", run.Stdout);
            var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"iotsync-mirror: cannot use the PostgreSQL journal postgresql://mirror@127.0.0.1:{port}/iotsync: cannot reach the server at 127.0.0.1:{port}", line);
            Assert.DoesNotContain("not-the-point", run.Stderr);
            Assert.Equal(2, list.ExitCode);
            Assert.Contains($"cannot reach the server at 127.0.0.1:{port}", list.Stderr);
            // backup copies a SQLite file: a PostgreSQL journal is pointed to the server's tools.
            Assert.Equal(2, backup.ExitCode);
            Assert.Contains("use the server's tools instead, e.g. pg_dump", backup.Stderr);
            Assert.False(File.Exists(Path.Combine(directory, "mirror.backup")));
            Assert.False(File.Exists(deployment.MirrorDatabase), $"{deployment.MirrorDatabase} was created");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
