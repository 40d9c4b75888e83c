using System.Text.Json.Nodes;
using Xunit;

namespace IoTSync.Tests.Inspection;

/// <summary><c>journal export</c> and <c>journal verify --file</c> through the real executables: an export verifies on its own, an edited one does not.</summary>
[Collection(NodeJournalsCollection.Name)]
public sealed class JournalExportCliSpecs(NodeJournals journals) : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    [Fact]
    public async Task Should_export_a_document_that_verifies_on_its_own_without_the_database()
    {
        var export = _scratch.File("dev-1.json");

        var exported = await NodeCliRunner.RunMirror("journal", "export", "dev-1", "--db", journals.MirrorDb, "--out", export);
        // Verified by the other node's executable, as on another machine: no database named, none read.
        var verified = await NodeCliRunner.Run(NodeCliRunner.Device, ["journal", "verify", "--file", export], workingDirectory: _scratch.Path);

        Assert.True(exported.ExitCode == 0, exported.ToString());
        Assert.StartsWith($"exported device dev-1 (mirror's copy): device log 4@{journals.Journal.View.DeviceLog.Head.Short}", exported.Stdout);
        Assert.True(verified.ExitCode == 0, verified.ToString());
        Assert.Equal("all holds (1 copy checked)", verified.Lines[^1]);
        var document = JsonNode.Parse(await File.ReadAllTextAsync(export))!;
        Assert.Equal("iotsync-journal-export", (string?)document["format"]);
        Assert.Equal(1, (int?)document["version"]);
        Assert.Equal(journals.Journal.View.StateDigest.ToHex(), (string?)document["stateDigest"]);
        Assert.Equal(journals.Journal.View.MirrorLog.Head.ToHex(), (string?)document["mirrorLog"]!["head"]);
        Assert.Equal(4, document["mirrorLog"]!["entries"]!.AsArray().Count);
    }

    [Fact]
    public async Task Should_not_verify_an_export_with_one_field_edited()
    {
        var export = _scratch.File("dev-1.json");
        await NodeCliRunner.RunDevice("journal", "export", "dev-1", "--db", journals.DeviceDb, "--out", export);
        var document = JsonNode.Parse(await File.ReadAllTextAsync(export))!;
        document["mirrorLog"]!["entries"]![1]!["argv"]![1] = "everything";
        await File.WriteAllTextAsync(export, document.ToJsonString());

        var run = await NodeCliRunner.RunMirror("journal", "verify", "--file", export);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"FAIL  device dev-1, mirror log, entry 2: hash does not match the entry's content [{export}]", run.Lines);
    }

    [Fact]
    public async Task Should_refuse_to_export_a_journal_that_does_not_verify_and_write_nothing()
    {
        var mirror = journals.CopyOf(journals.MirrorDb, _scratch);
        Sqlite3.Run(mirror, "DELETE FROM journal WHERE persistence_id = 'state-journal-dev-1' AND sequence_number = 1;");
        var export = _scratch.File("dev-1.json");

        var run = await NodeCliRunner.RunMirror("journal", "export", "dev-1", "--db", mirror, "--out", export);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(run.Lines, l => l.StartsWith("FAIL  device dev-1, journal, event 1: event 1 is missing"));
        Assert.Equal("journal export: the journal of device dev-1 does not verify; nothing exported", run.Stderr.Trim());
        Assert.False(File.Exists(export));
    }

    public void Dispose() => _scratch.Dispose();
}
