using System.Text.Json;
using IoTSync.Logs;
using IoTSync.Mirror;
using Xunit;

namespace IoTSync.Tests.Inspection;

/// <summary>
/// <c>journal list | show | verify | stats</c> through the real <c>iotsync-mirror</c> and
/// <c>iotsync-device</c> executables, on the journals the actors wrote in <see cref="NodeJournals"/>.
/// </summary>
[Collection(NodeJournalsCollection.Name)]
public sealed class JournalCliSpecs(NodeJournals journals)
{
    [Fact]
    public async Task Should_list_on_the_mirror_exactly_what_each_state_journal_wrote()
    {
        var run = await NodeCliRunner.RunMirror("journal", "list", "--db", journals.MirrorDb, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("mirror", json.GetProperty("node").GetString());
        var actors = json.GetProperty("actors").EnumerateArray().ToArray();
        Assert.Equal(["dev-1", "dev-2"], actors.Select(a => a.GetProperty("device").GetString()));
        AssertListed(actors[0], journals.Journal, diverged: false);
        AssertListed(actors[1], journals.DivergedJournal, diverged: true);
        Assert.Equal("state-journal-dev-1", actors[0].GetProperty("persistenceId").GetString());
        Assert.Contains("LogShrank at 3", actors[1].GetProperty("divergence").GetString());
        var events = actors[0].GetProperty("events").GetInt64();
        Assert.Equal(events - events % NodeJournals.SnapshotEvery, actors[0].GetProperty("snapshotSequenceNr").GetInt64());
        Assert.Equal(JsonValueKind.Null, actors[1].GetProperty("snapshotSequenceNr").ValueKind);
        var lastWrite = actors[0].GetProperty("lastWrite").GetDateTimeOffset();
        Assert.InRange(lastWrite, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Should_list_on_the_device_its_own_recorder_as_a_plain_table_when_output_is_not_a_terminal()
    {
        var json = await NodeCliRunner.RunDevice("journal", "list", "--db", journals.DeviceDb, "--json");
        var table = await NodeCliRunner.RunDevice("journal", "list", "--db", journals.DeviceDb);

        var actor = Assert.Single(JsonDocument.Parse(json.Stdout).RootElement.GetProperty("actors").EnumerateArray());
        AssertListed(actor, journals.Recorder, diverged: null);
        Assert.Equal("command-recorder-dev-1", actor.GetProperty("persistenceId").GetString());
        Assert.Equal(0, table.ExitCode);
        Assert.DoesNotContain('\u001b', table.Stdout);
        Assert.All(table.Stdout, c => Assert.True(c < 128, $"non-ASCII {c} in a redirected table"));
        var row = Assert.Single(table.Lines, l => l.Contains("dev-1"));
        Assert.Contains(journals.Recorder.View.DeviceLog.Head.Short, row);
        Assert.Contains(journals.Recorder.View.MirrorLog.Head.Short, row);
    }

    [Fact]
    public async Task Should_list_a_diverged_device_in_the_mirrors_table()
    {
        var run = await NodeCliRunner.RunMirror("journal", "list", "--db", journals.MirrorDb);

        Assert.Contains("YES: diverged in the Device log: LogShrank at 3", Assert.Single(run.Lines, l => l.Contains("dev-2")));
        Assert.Contains("| no ", Assert.Single(run.Lines, l => l.Contains("dev-1")));
    }

    [Fact]
    public async Task Should_show_every_entry_each_actor_wrote_with_every_field_in_journal_order()
    {
        var mirror = await NodeCliRunner.RunMirror("journal", "show", "dev-1", "--db", journals.MirrorDb, "--json");
        var device = await NodeCliRunner.RunDevice("journal", "show", "dev-1", "--db", journals.DeviceDb, "--json");

        AssertShown(mirror, journals.Journal);
        AssertShown(device, journals.Recorder);
    }

    [Fact]
    public async Task Should_show_one_log_from_a_sequence_number_up_to_a_limit_as_a_readable_table()
    {
        var filtered = await NodeCliRunner.RunDevice("journal", "show", "dev-1", "--db", journals.DeviceDb, "--origin", "mirror", "--from", "2", "--limit", "1", "--json");
        var table = await NodeCliRunner.RunMirror("journal", "show", "dev-1", "--db", journals.MirrorDb);

        var only = JsonDocument.Parse(Assert.Single(filtered.Lines)).RootElement;
        Assert.Equal(("mirror", 2L), (only.GetProperty("log").GetString(), only.GetProperty("sequence").GetInt64()));
        Assert.Equal(journals.Recorder.MirrorLog[1].Hash.ToHex(), only.GetProperty("hash").GetString());
        Assert.Equal(0, table.ExitCode);
        var uname = Assert.Single(table.Lines, l => l.Contains("| uname -a "));
        Assert.Contains("| device | command |", uname);
        Assert.Contains(journals.Journal.DeviceLog[0].Hash.Short, uname);
        Assert.Contains("result of d1: executed, exit 0", table.Stdout);
        Assert.Contains("result of m2: executed, exit 0, 1 ms: ran collect logs", table.Stdout);
    }

    [Fact]
    public async Task Should_verify_both_untouched_journals_alone_and_against_each_other_both_ways()
    {
        var mirror = await NodeCliRunner.RunMirror("journal", "verify", "--db", journals.MirrorDb);
        var device = await NodeCliRunner.RunDevice("journal", "verify", "--db", journals.DeviceDb, "--against", journals.MirrorDb);
        var back = await NodeCliRunner.RunMirror("journal", "verify", "dev-1", "--db", journals.MirrorDb, "--against", journals.DeviceDb, "--json");

        Assert.True(mirror.ExitCode == 0, mirror.ToString());
        Assert.Equal(2, mirror.Lines.Count(l => l.StartsWith("ok    device dev-")));
        Assert.Contains("snapshot at event 8 matches the replay", mirror.Stdout);
        Assert.Equal("all holds (2 copies checked)", mirror.Lines[^1]);
        Assert.True(device.ExitCode == 0, device.ToString());
        Assert.Contains("both logs agree", device.Stdout);
        Assert.True(back.ExitCode == 0, back.ToString());
        var json = JsonDocument.Parse(back.Stdout).RootElement;
        Assert.True(json.GetProperty("holds").GetBoolean());
        Assert.Equal(2, json.GetProperty("copies").GetArrayLength());
        Assert.Equal(journals.Journal.View.StateDigest.ToHex(),
            json.GetProperty("copies").EnumerateArray().Single(c => c.GetProperty("node").GetString() == "mirror").GetProperty("stateDigest").GetString());
    }

    [Fact]
    public async Task Should_count_entries_per_device_and_kind_and_the_recent_write_rate()
    {
        var run = await NodeCliRunner.RunMirror("journal", "stats", "--db", journals.MirrorDb, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(new FileInfo(journals.MirrorDb).Length, json.GetProperty("databaseBytes").GetInt64());
        var devices = json.GetProperty("devices").EnumerateArray().ToArray();
        var device = devices.Single(d => d.GetProperty("device").GetString() == "dev-1");
        Assert.Equal(2, device.GetProperty("deviceLog").GetProperty("command").GetInt64());
        Assert.Equal(2, device.GetProperty("deviceLog").GetProperty("result").GetInt64());
        Assert.Equal(4, device.GetProperty("mirrorLog").GetProperty("command").GetInt64());
        // Everything was written moments ago, so all of it falls in the last hour.
        Assert.Equal(json.GetProperty("events").GetInt64(), json.GetProperty("eventsLastHour").GetInt64());
        Assert.Equal(json.GetProperty("events").GetInt64() / 3600.0, json.GetProperty("eventsPerSecondLastHour").GetDouble(), 6);
    }

    private static void AssertListed(JsonElement actor, ActorHolding holding, bool? diverged)
    {
        Assert.Equal(holding.View.DeviceLog.Length, actor.GetProperty("deviceLog").GetProperty("length").GetInt64());
        Assert.Equal(holding.View.DeviceLog.Head.ToHex(), actor.GetProperty("deviceLog").GetProperty("head").GetString());
        Assert.Equal(holding.View.MirrorLog.Length, actor.GetProperty("mirrorLog").GetProperty("length").GetInt64());
        Assert.Equal(holding.View.MirrorLog.Head.ToHex(), actor.GetProperty("mirrorLog").GetProperty("head").GetString());
        if (diverged is null)
            Assert.Equal(JsonValueKind.Null, actor.GetProperty("diverged").ValueKind);
        else
            Assert.Equal(diverged, actor.GetProperty("diverged").GetBoolean());
        Assert.Equal(diverged == true, (holding.State as StateJournalState)?.IsDiverged ?? false);
    }

    private static void AssertShown(CliRun run, ActorHolding holding)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        var shown = run.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(holding.DeviceLog.Length + holding.MirrorLog.Length, shown.Length);
        var journalOrder = shown.Select(e => e.GetProperty("journalSequenceNr").GetInt64()).ToArray();
        Assert.Equal(journalOrder.Order(), journalOrder);
        foreach (var (origin, entries) in new[] { (Origin.Device, holding.DeviceLog), (Origin.Mirror, holding.MirrorLog) })
        {
            var ofLog = shown.Where(e => e.GetProperty("log").GetString() == (origin == Origin.Device ? "device" : "mirror")).ToArray();
            Assert.Equal(entries.Select(e => e.Hash.ToHex()), ofLog.Select(e => e.GetProperty("hash").GetString()));
            Assert.Equal(entries.Select(e => e.Sequence), ofLog.Select(e => e.GetProperty("sequence").GetInt64()));
            Assert.Equal(entries.Select(e => e.PreviousHash.ToHex()), ofLog.Select(e => e.GetProperty("previousHash").GetString()));
            Assert.Equal(entries.Select(e => string.Join(' ', e.Argv)),
                ofLog.Select(e => string.Join(' ', e.GetProperty("argv").EnumerateArray().Select(a => a.GetString()))));
            Assert.Equal(entries.Select(e => e.Issuer), ofLog.Select(e => e.GetProperty("issuer").GetString()));
            Assert.Equal(entries.Select(e => e.Timestamp.WallMs), ofLog.Select(e => e.GetProperty("timestamp").GetProperty("wallMs").GetInt64()));
            Assert.Equal(entries.Select(e => e.Result?.Output), ofLog.Select(e =>
                e.GetProperty("result").ValueKind == JsonValueKind.Null ? null : e.GetProperty("result").GetProperty("output").GetString()));
        }
    }
}
