using System.Text;
using System.Text.Json.Nodes;
using IoTSync.Inspection;
using IoTSync.Logs;
using IoTSync.Model;
using Xunit;

namespace IoTSync.Tests.Inspection;

/// <summary>Exports: self-contained, verifiable without the database, and any edited field caught.</summary>
public sealed class JournalExportSpecs
{
    private static readonly DateTimeOffset ExportedAt = new(2026, 11, 3, 8, 0, 0, TimeSpan.Zero);

    private static (StoredJournal Journal, JournalExportDocument Document) Exported(NodeRole role = NodeRole.Mirror)
    {
        var journal = role == NodeRole.Mirror ? StoredJournal.OfMirror() : StoredJournal.OfDevice();
        var report = StoredJournal.Audit(role, journal.Stored(), keepEntries: true);
        return (journal, JournalExport.From(report, ExportedAt));
    }

    [Fact]
    public void Should_hold_both_logs_heads_model_and_digest_and_read_back_to_a_document_that_verifies()
    {
        var (journal, document) = Exported();

        var read = JournalExport.Decode(JournalExport.Encode(document));

        Assert.Empty(JournalExport.Verify(read));
        Assert.Equal(("iotsync-journal-export", 1), (read.Format, read.Version));
        Assert.Equal(NodeRole.Mirror, read.Node);
        Assert.Equal("state-journal-dev-a", read.PersistenceId);
        Assert.Equal(journal.DeviceLog.Position, new LogPosition(read.DeviceLog.Length, read.DeviceLog.Head));
        Assert.Equal(journal.MirrorLog.Entries.Select(e => e.Hash), read.MirrorLog.Entries.Select(e => e.Hash));
        Assert.Equal("boost", read.Model.Get("mode"));
        Assert.Equal(read.Model.Digest(), read.StateDigest);
        Assert.Equal(2, read.DeliveredThrough);
        Assert.Equal(ExportedAt.ToUnixTimeMilliseconds(), read.ExportedAtUnixMs);
    }

    [Fact]
    public void Should_write_every_enumeration_as_a_word_and_still_read_an_export_written_with_numbers()
    {
        var (_, document) = Exported();

        var text = System.Text.Encoding.UTF8.GetString(JournalExport.Encode(document));
        var numbered = text.Replace("\"kind\": \"command\"", "\"kind\": 1", StringComparison.Ordinal).Replace("\"origin\": \"mirror\"", "\"origin\": 2", StringComparison.Ordinal);

        Assert.Contains("\"kind\": \"command\"", text);
        Assert.Contains("\"origin\": \"mirror\"", text);
        Assert.DoesNotMatch("\"(kind|origin|outcome)\": [0-9]", text);
        Assert.NotEqual(text, numbered);
        Assert.Empty(JournalExport.Verify(JournalExport.Decode(System.Text.Encoding.UTF8.GetBytes(numbered))));
    }

    [Fact]
    public void Should_export_a_device_journal_with_its_started_commands()
    {
        var (_, document) = Exported(NodeRole.Device);

        Assert.Empty(JournalExport.Verify(JournalExport.Decode(JournalExport.Encode(document))));
        Assert.Equal(NodeRole.Device, document.Node);
        Assert.Null(document.DeliveredThrough);
        Assert.Empty(document.StartedCommands!.Value);
    }

    [Fact]
    public void Should_refuse_to_export_a_journal_that_does_not_verify()
    {
        var journal = StoredJournal.OfMirror();
        var report = StoredJournal.Audit(NodeRole.Mirror, journal.Stored().Skip(1), keepEntries: true);

        Assert.Throws<InvalidOperationException>(() => JournalExport.From(report, ExportedAt));
    }

    [Fact]
    public void Should_name_the_entry_when_one_field_of_it_is_edited()
    {
        var json = Json(Exported().Document);
        json["mirrorLog"]!["entries"]![1]!["argv"]![0] = "shutdown";

        var finding = Assert.Single(JournalExport.Verify(Read(json)));

        Assert.Equal("device dev-a, mirror log, entry 2: hash does not match the entry's content", finding.ToString());
    }

    [Fact]
    public void Should_catch_an_edited_model_an_edited_digest_and_an_edited_head()
    {
        var model = Json(Exported().Document);
        model["model"]!["properties"]![0]!["value"] = "forged";
        var digest = Json(Exported().Document);
        digest["stateDigest"] = new string('a', 64);
        var head = Json(Exported().Document);
        head["deviceLog"]!["length"] = 3;

        Assert.Contains("the model state differs from replaying both logs", Assert.Single(JournalExport.Verify(Read(model))).Reason);
        Assert.Contains("is not the digest of replaying both logs", Assert.Single(JournalExport.Verify(Read(digest))).Reason);
        var finding = Assert.Single(JournalExport.Verify(Read(head)));
        Assert.Equal((FindingPlace.DeviceLog, 4L), (finding.Place, finding.Sequence));
    }

    [Fact]
    public void Should_catch_an_entry_removed_from_the_middle_of_a_log()
    {
        var json = Json(Exported().Document);
        ((JsonArray)json["deviceLog"]!["entries"]!).RemoveAt(1);

        var finding = Assert.Single(JournalExport.Verify(Read(json)));

        Assert.Equal((FindingPlace.DeviceLog, 2L), (finding.Place, finding.Sequence));
        Assert.Contains("entry 2 is missing", finding.Reason);
    }

    [Fact]
    public void Should_refuse_another_format_and_say_why_a_document_does_not_read()
    {
        var json = Json(Exported().Document);
        json["version"] = 2;

        Assert.Contains("version 2", Assert.Single(JournalExport.Verify(Read(json))).Reason);
        Assert.Throws<FormatException>(() => JournalExport.Decode("{\"format\": 1"u8));
        var badHash = Json(Exported().Document);
        badHash["mirrorLog"]!["entries"]![0]!["hash"] = "xyz";
        Assert.Throws<FormatException>(() => Read(badHash));
    }

    private static JsonNode Json(JournalExportDocument document) => JsonNode.Parse(JournalExport.Encode(document))!;

    private static JournalExportDocument Read(JsonNode json) => JournalExport.Decode(Encoding.UTF8.GetBytes(json.ToJsonString()));
}
