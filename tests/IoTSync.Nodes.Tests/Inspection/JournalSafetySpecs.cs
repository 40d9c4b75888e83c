using Xunit;

namespace IoTSync.Tests.Inspection;

/// <summary>
/// The journal commands never write: every verb leaves the database's bytes as they were, a
/// missing database is an error rather than a new file, and every failure is one line on stderr.
/// Through the real executables.
/// </summary>
[Collection(NodeJournalsCollection.Name)]
public sealed class JournalSafetySpecs(NodeJournals journals)
{
    [Fact]
    public async Task Should_leave_both_databases_byte_for_byte_unchanged_after_every_verb()
    {
        using var scratch = new ScratchDirectory();
        var before = (Device: NodeCliRunner.Sha256(journals.DeviceDb), Mirror: NodeCliRunner.Sha256(journals.MirrorDb));
        var runs = new (string Exe, string[] Args)[]
        {
            (NodeCliRunner.Mirror, ["journal", "list", "--db", journals.MirrorDb]),
            (NodeCliRunner.Mirror, ["journal", "show", "dev-1", "--db", journals.MirrorDb, "--json"]),
            (NodeCliRunner.Mirror, ["journal", "verify", "--db", journals.MirrorDb]),
            (NodeCliRunner.Mirror, ["journal", "verify", "--db", journals.MirrorDb, "--against", journals.DeviceDb]),
            (NodeCliRunner.Mirror, ["journal", "export", "dev-1", "--db", journals.MirrorDb, "--out", scratch.File("mirror-export.json")]),
            (NodeCliRunner.Mirror, ["journal", "stats", "--db", journals.MirrorDb]),
            (NodeCliRunner.Device, ["journal", "list", "--db", journals.DeviceDb, "--json"]),
            (NodeCliRunner.Device, ["journal", "show", "dev-1", "--db", journals.DeviceDb]),
            (NodeCliRunner.Device, ["journal", "verify", "--db", journals.DeviceDb]),
            (NodeCliRunner.Device, ["journal", "export", "dev-1", "--db", journals.DeviceDb, "--out", scratch.File("device-export.json")]),
            (NodeCliRunner.Device, ["journal", "stats", "--db", journals.DeviceDb, "--json"]),
        };
        foreach (var (exe, args) in runs)
        {
            var run = await NodeCliRunner.Run(exe, args);
            var verb = $"{Path.GetFileNameWithoutExtension(exe)} {string.Join(' ', args.Take(2))}";
            Assert.True(run.ExitCode == 0, $"{verb}: {run}");
            Assert.True(before.Device == NodeCliRunner.Sha256(journals.DeviceDb), $"{verb} changed the device's database");
            Assert.True(before.Mirror == NodeCliRunner.Sha256(journals.MirrorDb), $"{verb} changed the mirror's database");
        }
    }

    [Fact]
    public async Task Should_refuse_a_missing_database_in_one_line_without_creating_it()
    {
        using var scratch = new ScratchDirectory();
        var missing = scratch.File("nothing-here.db");

        var run = await NodeCliRunner.RunMirror("journal", "list", "--db", missing);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"iotsync-mirror: no database at {missing}: nothing has been written there yet (point --db or --config at the node's database)", run.Stderr.TrimEnd());
        Assert.Empty(run.Stdout);
        Assert.Empty(Directory.GetFileSystemEntries(scratch.Path));
    }

    [Fact]
    public async Task Should_say_in_one_line_when_a_file_is_no_journal_a_device_is_unknown_or_an_argument_is_wrong()
    {
        using var scratch = new ScratchDirectory();
        var text = scratch.File("notes.db");
        await File.WriteAllTextAsync(text, "these are not the pages you are looking for, and this is not a database file either");

        var notSqlite = await NodeCliRunner.RunDevice("journal", "verify", "--db", text);
        var unknown = await NodeCliRunner.RunMirror("journal", "show", "dev-9", "--db", journals.MirrorDb);
        var badOption = await NodeCliRunner.RunMirror("journal", "show", "dev-1", "--limit", "zero", "--db", journals.MirrorDb);

        foreach (var run in new[] { notSqlite, unknown, badOption })
        {
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.DoesNotContain("   at ", run.Stderr);
        }
        Assert.StartsWith($"iotsync-device: {text} is not a readable SQLite database", notSqlite.Stderr);
        Assert.Equal($"iotsync-mirror: {journals.MirrorDb} holds no state-journal journal for device dev-9 (it holds dev-1, dev-2)", unknown.Stderr.TrimEnd());
        Assert.StartsWith("iotsync-mirror: journal show: --limit takes a whole number of 1 or more, not 'zero'", badOption.Stderr);
    }

    [Fact]
    public async Task Should_answer_help_on_the_root_the_group_and_a_verb_of_both_executables()
    {
        var runs = new[]
        {
            await NodeCliRunner.RunMirror("--help"),
            await NodeCliRunner.RunDevice("journal", "--help"),
            await NodeCliRunner.RunDevice("journal", "show", "--help"),
        };

        Assert.All(runs, run => Assert.True(run.ExitCode == 0 && run.Stdout.Contains("Usage:"), run.ToString()));
        Assert.Contains("journal", runs[0].Stdout);
        Assert.Contains("verify", runs[1].Stdout);
        Assert.Contains("iotsync-device journal show <DEVICE> [options]", runs[2].Stdout);
    }

    [Fact]
    public async Task Should_read_the_database_path_from_the_node_configuration_by_default_with_environment_overrides()
    {
        using var scratch = new ScratchDirectory();
        var hocon = Path.Combine(AppContext.BaseDirectory, "hocon");
        File.Copy(Path.Combine(hocon, "shared.hocon"), scratch.File("shared.hocon"));
        var mirrorHocon = (await File.ReadAllTextAsync(Path.Combine(hocon, "mirror.hocon")))
            .Replace("database-path = \"mirror.db\"", $"database-path = \"{journals.MirrorDb}\"", StringComparison.Ordinal);
        Assert.Contains(journals.MirrorDb, mirrorHocon);
        await File.WriteAllTextAsync(scratch.File("mirror.hocon"), mirrorHocon);
        var empty = Directory.CreateDirectory(scratch.File("cwd")).FullName;

        var configured = await NodeCliRunner.Run(NodeCliRunner.Mirror, ["journal", "list", "--config", scratch.File("mirror.hocon")]);
        var byDefault = await NodeCliRunner.Run(NodeCliRunner.Mirror, ["journal", "list"], workingDirectory: empty);
        var overridden = await NodeCliRunner.Run(NodeCliRunner.Device, ["journal", "list"], workingDirectory: empty,
            environment: new Dictionary<string, string> { ["IOTSYNC_DATABASE_PATH"] = journals.DeviceDb });

        Assert.True(configured.ExitCode == 0, configured.ToString());
        Assert.Contains("dev-2", configured.Stdout);
        // The shipped mirror.hocon names mirror.db, relative to the working directory.
        Assert.Equal(2, byDefault.ExitCode);
        Assert.StartsWith($"iotsync-mirror: no database at {Path.Combine(empty, "mirror.db")}", byDefault.Stderr);
        Assert.True(overridden.ExitCode == 0, overridden.ToString());
        Assert.Contains("dev-1", overridden.Stdout);
        Assert.Empty(Directory.GetFileSystemEntries(empty));
    }
}
