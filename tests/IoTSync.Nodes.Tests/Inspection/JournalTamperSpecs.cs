using Xunit;

namespace IoTSync.Tests.Inspection;

/// <summary>
/// A copy of a real journal spoiled with the sqlite3 tool, one way per spec: <c>journal verify</c>
/// exits non-zero and names the device, the log (or journal, or snapshot) and the first bad
/// sequence number; nothing crashes on a payload that no longer decodes. The untouched journals
/// verify clean (<see cref="JournalCliSpecs"/>).
/// </summary>
[Collection(NodeJournalsCollection.Name)]
public sealed class JournalTamperSpecs(NodeJournals journals) : IDisposable
{
    private const string MirrorActor = "state-journal-dev-1";
    private readonly ScratchDirectory _scratch = new();

    private string Mirror() => journals.CopyOf(journals.MirrorDb, _scratch);

    /// <summary>The journal sequence number of the one event of <paramref name="persistenceId"/> whose payload contains <paramref name="text"/>.</summary>
    private static long EventHolding(string database, string persistenceId, string text)
    {
        var found = Sqlite3.Run(database,
            $"SELECT sequence_number FROM journal WHERE persistence_id = '{persistenceId}' AND instr(CAST(message AS TEXT), '{text}') > 0;");
        var lines = found.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"'{text}' is in {lines.Length} events of {persistenceId}");
        return long.Parse(lines[0]);
    }

    /// <summary>Replaces <paramref name="from"/> with <paramref name="to"/> (same length) in one event's stored payload.</summary>
    private static long ChangePayload(string database, string persistenceId, string from, string to)
    {
        Assert.Equal(from.Length, to.Length);
        var sequenceNr = EventHolding(database, persistenceId, from);
        Sqlite3.Run(database,
            $"UPDATE journal SET message = CAST(replace(CAST(message AS TEXT), '{from}', '{to}') AS BLOB) " +
            $"WHERE persistence_id = '{persistenceId}' AND sequence_number = {sequenceNr};");
        return sequenceNr;
    }

    [Fact]
    public async Task Should_name_the_entry_whose_stored_payload_had_one_byte_changed()
    {
        var mirror = Mirror();
        var sequenceNr = ChangePayload(mirror, MirrorActor, "\"collect\"", "\"collecT\"");

        var run = await NodeCliRunner.RunMirror("journal", "verify", "--db", mirror);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"FAIL  device dev-1, mirror log, entry 2 (journal event {sequenceNr}): hash does not match the entry's content [{mirror}]", run.Lines);
        Assert.Contains(run.Lines, l => l.StartsWith("ok    device dev-2"));
        Assert.Equal("1 problem found", run.Lines[^1]);
    }

    [Fact]
    public async Task Should_name_the_entry_whose_payload_was_stored_as_text_instead_of_bytes()
    {
        var mirror = Mirror();
        var sequenceNr = EventHolding(mirror, MirrorActor, "\"collect\"");
        Sqlite3.Run(mirror, $"UPDATE journal SET message = CAST(message AS TEXT) WHERE persistence_id = '{MirrorActor}' AND sequence_number = {sequenceNr};");

        var run = await NodeCliRunner.RunMirror("journal", "verify", "--db", mirror);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(run.Lines, l => l.StartsWith($"FAIL  device dev-1, mirror log, entry 2 (journal event {sequenceNr}): ", StringComparison.Ordinal)
                                        && l.Contains("stored as text", StringComparison.Ordinal));
        Assert.Contains(run.Lines, l => l.StartsWith("ok    device dev-2"));
    }

    [Fact]
    public async Task Should_name_the_entry_changed_in_the_devices_own_log()
    {
        var device = journals.CopyOf(journals.DeviceDb, _scratch);
        var sequenceNr = ChangePayload(device, "command-recorder-dev-1", "\"eco\"", "\"ecO\"");

        var run = await NodeCliRunner.RunDevice("journal", "verify", "--db", device);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"FAIL  device dev-1, device log, entry 3 (journal event {sequenceNr}): hash does not match the entry's content [{device}]", run.Lines);
    }

    [Fact]
    public async Task Should_report_a_payload_that_no_longer_decodes_and_still_list_and_show_the_journal()
    {
        var mirror = Mirror();
        var sequenceNr = ChangePayload(mirror, MirrorActor, "\"argv\":[\"collect\"", "\"argv\":{\"collect\"");

        var verify = await NodeCliRunner.RunMirror("journal", "verify", "dev-1", "--db", mirror, "--json");
        var show = await NodeCliRunner.RunMirror("journal", "show", "dev-1", "--db", mirror);
        var list = await NodeCliRunner.RunMirror("journal", "list", "--db", mirror);

        Assert.True(verify.ExitCode == 1, verify.ToString());
        var finding = Assert.Single(System.Text.Json.JsonDocument.Parse(verify.Stdout).RootElement.GetProperty("findings").EnumerateArray());
        Assert.Equal(("dev-1", "mirror log", 2L, sequenceNr),
            (finding.GetProperty("device").GetString(), finding.GetProperty("place").GetString(), finding.GetProperty("sequence").GetInt64(),
                finding.GetProperty("journalSequenceNr").GetInt64()));
        Assert.StartsWith("the 'entry-appended' payload does not decode: malformed 'entry-appended'", finding.GetProperty("reason").GetString());
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("| 2   | mirror | UNDECODABLE | 'entry-appended' payload does not decode", show.Stdout);
        Assert.True(list.ExitCode == 0, list.ToString());
    }

    [Fact]
    public async Task Should_name_the_hole_and_the_missing_entry_when_an_event_is_deleted_from_the_middle()
    {
        var mirror = Mirror();
        var sequenceNr = EventHolding(mirror, MirrorActor, "\"output\":\"ran uname -a\"");
        Sqlite3.Run(mirror, $"DELETE FROM journal WHERE persistence_id = '{MirrorActor}' AND sequence_number = {sequenceNr};");

        var run = await NodeCliRunner.RunMirror("journal", "verify", "--db", mirror);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(run.Lines, l => l.StartsWith($"FAIL  device dev-1, journal, event {sequenceNr}: event {sequenceNr} is missing"));
        Assert.Contains(run.Lines, l => l.StartsWith($"FAIL  device dev-1, device log, entry 2 (journal event {sequenceNr + 1}): entry 2 is missing: entry 3 comes where entry 2 belongs"));
    }

    [Fact]
    public async Task Should_name_the_first_entry_out_of_place_when_two_events_are_swapped()
    {
        var mirror = Mirror();
        var first = EventHolding(mirror, MirrorActor, "\"argv\":[\"uname\"");
        var second = EventHolding(mirror, MirrorActor, "\"output\":\"ran uname -a\"");
        Sqlite3.Run(mirror, $"""
            UPDATE journal SET sequence_number = -1 WHERE persistence_id = '{MirrorActor}' AND sequence_number = {first};
            UPDATE journal SET sequence_number = {first} WHERE persistence_id = '{MirrorActor}' AND sequence_number = {second};
            UPDATE journal SET sequence_number = {second} WHERE persistence_id = '{MirrorActor}' AND sequence_number = -1;
            """);

        var run = await NodeCliRunner.RunMirror("journal", "verify", "dev-1", "--db", mirror);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(run.Lines, l => l.StartsWith($"FAIL  device dev-1, device log, entry 1 (journal event {first}): entry 1 is missing: entry 2 comes where entry 1 belongs"));
    }

    [Fact]
    public async Task Should_name_a_snapshot_whose_stored_state_was_altered()
    {
        var mirror = Mirror();
        var snapshotAt = Sqlite3.Run(mirror, $"SELECT sequence_number FROM snapshot WHERE persistence_id = '{MirrorActor}';");
        Assert.Contains("\"value\":\"boost\"", Sqlite3.Run(mirror, $"SELECT CAST(snapshot AS TEXT) FROM snapshot WHERE persistence_id = '{MirrorActor}';"));
        Sqlite3.Run(mirror, $"UPDATE snapshot SET snapshot = CAST(replace(CAST(snapshot AS TEXT), '\"value\":\"boost\"', '\"value\":\"boosT\"') AS BLOB) WHERE persistence_id = '{MirrorActor}';");

        var run = await NodeCliRunner.RunMirror("journal", "verify", "--db", mirror);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(run.Lines, l => l.StartsWith($"FAIL  device dev-1, snapshot, at event {snapshotAt}: state digest differs: snapshot "));
    }

    public void Dispose() => _scratch.Dispose();
}
