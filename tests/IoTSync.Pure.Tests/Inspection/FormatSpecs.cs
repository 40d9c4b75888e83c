using System.Text;
using System.Text.Json;
using IoTSync.Cli.Journal;
using IoTSync.Inspection;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Serialization;
using IoTSync.Tests.Logs;
using Xunit;

namespace IoTSync.Tests.Inspection;

/// <summary>Small pure pieces: recovering an entry's place from broken bytes, how entries read, statistics, findings.</summary>
public sealed class FormatSpecs
{
    private static readonly DeviceId Device = new("dev-a");

    [Fact]
    public void Should_sniff_log_and_sequence_from_an_entry_whose_bytes_break_after_them()
    {
        var log = new TestLog(Device, Origin.Mirror).Commands(6);
        var bytes = IoTSyncCodec.Encode(new EntryAppended(log[6]));

        Assert.Equal((Origin.Mirror, 6L), Unpack(EntrySniffer.Sniff(bytes[..40])));
        Assert.Equal((Origin.Mirror, 6L), Unpack(EntrySniffer.Sniff(bytes)));
        Assert.Equal((null, null), EntrySniffer.Sniff("not json"u8));
        Assert.Equal((null, null), EntrySniffer.Sniff("{\"sequence\":3,\"origin\":1}"u8));
    }

    [Fact]
    public void Should_show_commands_as_argv_results_in_short_and_hlc_in_utc()
    {
        var device = new TestLog(Device, Origin.Device);
        var command = device.Command("sh", "-c", "echo 'hi'", "");
        var result = device.Append(LogEntry.NewResult(device.Position, new HlcTimestamp(1_700_000_000_123, 2), "runner", command.Ref,
            new ResultFields(CommandOutcome.Failed, 3, "line one\nline two " + new string('x', 80), false, 12)));
        var cancel = new TestLog(Device, Origin.Mirror).Cancel(4);

        Assert.Equal("sh -c 'echo '\\''hi'\\''' ''", EntryFormat.Summary(command));
        Assert.Equal("result of d1: failed, exit 3, 12 ms: line one line two " + new string('x', 30) + "…", EntryFormat.Summary(result));
        Assert.Equal("cancel m4", EntryFormat.Summary(cancel));
        Assert.Equal("2023-11-14 22:13:20.123+2", EntryFormat.Hlc(result.Timestamp));
    }

    [Fact]
    public void Should_write_every_field_of_an_entry_as_one_json_object()
    {
        var device = new TestLog(Device, Origin.Device);
        var command = device.Command("uptime");
        var result = device.Result(command.Ref);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            EntryFormat.WriteJson(writer, Device, result, 9, new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero));

        var json = JsonDocument.Parse(buffer.ToArray()).RootElement;

        Assert.Equal("dev-a", json.GetProperty("device").GetString());
        Assert.Equal("device", json.GetProperty("log").GetString());
        Assert.Equal(2, json.GetProperty("sequence").GetInt64());
        Assert.Equal("result", json.GetProperty("kind").GetString());
        Assert.Equal(result.Timestamp.WallMs, json.GetProperty("timestamp").GetProperty("wallMs").GetInt64());
        Assert.Equal("device-runner", json.GetProperty("issuer").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("notAfterUnixMs").ValueKind);
        Assert.Equal(1, json.GetProperty("target").GetProperty("sequence").GetInt64());
        Assert.Equal("executed", json.GetProperty("result").GetProperty("outcome").GetString());
        Assert.Equal("out", json.GetProperty("result").GetProperty("output").GetString());
        Assert.Equal(command.Hash.ToHex(), json.GetProperty("previousHash").GetString());
        Assert.Equal(result.Hash.ToHex(), json.GetProperty("hash").GetString());
        Assert.Equal(9, json.GetProperty("journalSequenceNr").GetInt64());
        Assert.StartsWith("2026-11-02T10:00:00", json.GetProperty("writtenAt").GetString());
    }

    [Fact]
    public void Should_count_entries_per_kind_and_the_write_rate_of_the_last_hour()
    {
        var journal = StoredJournal.OfMirror();
        var now = StoredJournal.Start.AddSeconds(7).AddMinutes(30);
        var report = StoredJournal.Audit(NodeRole.Mirror, journal.Stored(), countSince: now - JournalStatistics.Hour);

        var stats = JournalStatistics.From("/x/mirror.db", 4096, 0, now, [report]);

        var device = Assert.Single(stats.Devices);
        Assert.Equal(8, stats.Events);
        Assert.Equal(new KindCounts(2, 2, 0), device.DeviceLog);
        Assert.Equal(new KindCounts(3, 0, 0), device.MirrorLog);
        Assert.Equal(8, device.EventsLastHour);
        Assert.Equal(8 / 3600.0, stats.EventsPerSecondLastHour, 6);
    }

    [Fact]
    public void Should_name_the_place_of_each_kind_of_finding_in_one_line()
    {
        Assert.Equal("device dev-a, journal, event 5: gone", new Finding(Device, FindingPlace.Journal, 5, null, "gone").ToString());
        Assert.Equal("device dev-a, snapshot, at event 1000: differs", new Finding(Device, FindingPlace.Snapshot, 1000, null, "differs").ToString());
        Assert.Equal("export: unreadable", new Finding(null, FindingPlace.Document, 0, null, "unreadable").ToString());
        Assert.Equal("device dev-a, mirror log, entry 2: bad", Finding.InLog(Device, Origin.Mirror, 2, null, "bad").ToString());
    }

    [Fact]
    public void Should_show_progress_on_stderr_only_for_a_terminal_and_clear_it_at_the_end()
    {
        var (terminal, redirected) = (new StringWriter(), new StringWriter());

        using (var shown = new IoTSync.Cli.StderrProgress("reading dev-a", terminal, enabled: true))
            shown.Report(12_000);
        using (var hidden = new IoTSync.Cli.StderrProgress("reading dev-a", redirected, enabled: false))
            hidden.Report(12_000);

        Assert.Equal("\rreading dev-a: 12,000 events\u001b[K\r\u001b[K", terminal.ToString());
        Assert.Empty(redirected.ToString());
    }

    private static (Origin, long) Unpack((Origin? Origin, long? Sequence) sniffed) => (sniffed.Origin!.Value, sniffed.Sequence!.Value);
}
