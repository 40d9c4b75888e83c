using IoTSync.Testing.Processes;
using Microsoft.Data.Sqlite;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// A node whose database is truncated, zeroed or not SQLite stops at once with one line naming the
/// file and the reason and a non-zero exit, and leaves the file exactly as it was (issue 11, fault 5).
/// The databases are real ones both nodes wrote (a command delivered and answered), damaged on disk.
/// </summary>
[Collection(NodeProcessCollection.Name)]
public sealed class DamagedDatabaseSpecs(DamagedDatabaseSpecs.WrittenDatabases written) : IClassFixture<DamagedDatabaseSpecs.WrittenDatabases>
{
    [SkippableTheory]
    [InlineData("device", "truncated", "it is damaged")]
    [InlineData("device", "zeroed", "it is not a SQLite database")]
    [InlineData("device", "not SQLite", "it is not a SQLite database")]
    [InlineData("device", "empty", "it is empty")]
    [InlineData("mirror", "truncated", "it is damaged")]
    [InlineData("mirror", "zeroed", "it is not a SQLite database")]
    [InlineData("mirror", "not SQLite", "it is not a SQLite database")]
    public async Task Should_stop_at_once_with_one_line_naming_the_file_and_the_reason_and_leave_the_file_as_it_was(string node, string damage, string reason)
    {
        var rig = written.Rig ?? throw new SkipException(written.SkipReason ?? "no rig");
        var source = node == "device" ? rig.Deployment.DeviceDatabase : rig.Deployment.MirrorDatabase;
        var database = Path.Combine(rig.Directory, $"{node}-{damage.Replace(' ', '-')}.db");
        File.Copy(source, database, overwrite: true);
        Damage(database, damage);
        var before = NodeCliRunner.Sha256(database);
        var siblingsBefore = Siblings(database);

        var environment = new Dictionary<string, string> { ["IOTSYNC_DATABASE_PATH"] = database };
        var run = await NodeCliRunner.Run(node == "device" ? rig.Deployment.Binaries.DeviceDll : rig.Deployment.Binaries.MirrorDll,
            ["run", "--config", node == "device" ? rig.Deployment.DeviceConfig : rig.Deployment.MirrorConfig],
            environment: environment, timeout: TimeSpan.FromSeconds(60), dotnet: rig.Deployment.Binaries.Dotnet);

        Assert.True(run.ExitCode != 0, $"the node did not stop: {run}");
        var lines = run.Stderr.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1, $"more than one line:\n{run.Stderr}");
        Assert.Contains($"cannot use the database {database}: {reason}", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, NodeCliRunner.Sha256(database));
        Assert.Equal(siblingsBefore, Siblings(database));
    }

    private static void Damage(string database, string damage)
    {
        var length = new FileInfo(database).Length;
        switch (damage)
        {
            case "truncated":
                using (var file = new FileStream(database, FileMode.Open, FileAccess.Write))
                    file.SetLength(length / 2);
                break;
            case "zeroed":
                File.WriteAllBytes(database, new byte[length]);
                break;
            case "not SQLite":
                File.WriteAllText(database, "this was a device database once\n");
                break;
            case "empty":
                File.WriteAllBytes(database, []);
                break;
        }
    }

    /// <summary>The -wal and -shm beside it: none was made.</summary>
    private static string[] Siblings(string database) => [.. new[] { "-wal", "-shm", "-journal" }.Where(s => File.Exists(database + s))];

    /// <summary>One deployment whose nodes wrote their databases (a command delivered and answered), stopped and checkpointed.</summary>
    public sealed class WrittenDatabases : IAsyncLifetime
    {
        public NodeRig? Rig { get; private set; }

        public string? SkipReason { get; private set; }

        public async Task InitializeAsync()
        {
            try
            {
                Rig = await NodeRig.Create();
            }
            catch (SkipException e)
            {
                SkipReason = e.Message;
                return;
            }
            await Rig.Deployment.StartAll();
            Assert.Equal("executed", (await Rig.AwaitResult(await Rig.LeaveAtMirror(Rig.Traced("written")))).GetProperty("outcome").GetString());
            await Rig.Deployment.StopNodes();
            foreach (var database in new[] { Rig.Deployment.DeviceDatabase, Rig.Deployment.MirrorDatabase })
                Checkpoint(database);
        }

        /// <summary>Everything in the main file, so the copies are whole databases without their -wal.</summary>
        private static void Checkpoint(string database)
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            command.ExecuteNonQuery();
        }

        public async Task DisposeAsync()
        {
            if (Rig is not null)
                await Rig.DisposeAsync();
        }
    }
}
