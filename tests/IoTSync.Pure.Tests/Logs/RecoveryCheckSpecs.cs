using IoTSync.Logs;
using IoTSync.Model;
using Xunit;

namespace IoTSync.Tests.Logs;

/// <summary>
/// What a log holder checks while it recovers (issue 11, fault 4): each entry replayed after the
/// snapshot hashes to its stored hash and continues its log, the first linking to the snapshot's
/// head; the snapshot itself is held to its place in the journal.
/// </summary>
public sealed class RecoveryCheckSpecs
{
    private static readonly DeviceId Device = new("dev-a");

    private static TestLog MirrorLog() => new TestLog(Device, Origin.Mirror).Commands(5);

    /// <summary>Replays <paramref name="entries"/> as recovery does; the logs and the first fault, with the journal event it was at.</summary>
    private static (LogPair Logs, ChainCheck? Fault, long At) Replay(LogPair from, IEnumerable<LogEntry> entries, long firstEvent = 1)
    {
        var (logs, journalSequenceNr) = (from, firstEvent);
        foreach (var entry in entries)
        {
            var check = RecoveryCheck.Entry(logs, entry);
            if (check.IsRejection)
                return (logs, check, journalSequenceNr);
            logs = logs.Append(entry, journalSequenceNr++);
        }
        return (logs, null, 0);
    }

    private static LogPair Holding(IEnumerable<LogEntry> entries) => Replay(LogPair.Empty(Device), entries).Logs;

    [Fact]
    public void Should_pass_every_entry_of_an_untouched_log()
    {
        var (logs, fault, _) = Replay(LogPair.Empty(Device), MirrorLog().Entries);

        Assert.Null(fault);
        Assert.Equal(MirrorLog().Position, logs.MirrorLog);
    }

    [Fact]
    public void Should_name_an_entry_edited_with_its_stored_hash_kept()
    {
        var log = MirrorLog();
        var edited = log.Entries.Select(e => e.Sequence == 3 ? e with { Argv = ["echo", "n3-edited"] } : e);

        var (_, fault, at) = Replay(LogPair.Empty(Device), edited);

        Assert.Equal((Verdict.BadHash, 3L, 3L), (fault!.Verdict, fault.Sequence, at));
        Assert.Equal("mirror log entry 3 (journal event 3): BadHash: hash does not match the entry's content",
            RecoveryFault.Of(fault, Origin.Mirror, at).Describe());
    }

    [Fact]
    public void Should_refuse_an_entry_rehashed_after_an_edit_for_its_link()
    {
        var log = MirrorLog();
        var rehashed = log[3] with { Argv = ["echo", "n3-edited"] };
        rehashed = rehashed with { Hash = rehashed.ComputeHash() };

        var (_, fault, _) = Replay(LogPair.Empty(Device), [.. log.Slice(1, 2), rehashed, .. log.Slice(4, 5)]);

        Assert.Equal((Verdict.BadLink, 4L), (fault!.Verdict, fault.Sequence));
    }

    [Fact]
    public void Should_hold_the_first_entry_after_a_snapshot_to_the_snapshots_head()
    {
        var log = MirrorLog();
        var snapshot = Holding(log.Slice(1, 3));
        var alteredHead = snapshot with { MirrorLog = snapshot.MirrorLog with { Head = log[2].Hash } };

        Assert.Null(Replay(snapshot, log.Slice(4, 5), firstEvent: 4).Fault);
        var (_, fault, at) = Replay(alteredHead, log.Slice(4, 5), firstEvent: 4);
        Assert.Equal((Verdict.BadLink, 4L, 4L), (fault!.Verdict, fault.Sequence, at));
    }

    [Fact]
    public void Should_name_a_missing_entry_and_an_entry_again()
    {
        var log = MirrorLog();

        var gap = Replay(LogPair.Empty(Device), [.. log.Slice(1, 2), .. log.Slice(4, 5)]).Fault!;
        var again = Replay(LogPair.Empty(Device), [.. log.Slice(1, 3), log[3], .. log.Slice(4, 5)]).Fault!;

        Assert.Equal((Verdict.Gap, 3L), (gap.Verdict, gap.Sequence));
        Assert.Equal((Verdict.Fork, 3L), (again.Verdict, again.Sequence));
    }

    [Fact]
    public void Should_refuse_an_entry_of_another_devices_log()
    {
        var other = new TestLog(new DeviceId("dev-b"), Origin.Mirror).Commands(1);

        var fault = Replay(LogPair.Empty(Device), other.Entries).Fault!;

        Assert.Equal((Verdict.BadHash, 1L), (fault.Verdict, fault.Sequence));
    }

    [Fact]
    public void Should_pass_a_snapshot_that_fits_its_place_in_the_journal()
    {
        var snapshot = Holding(MirrorLog().Entries);

        Assert.False(RecoveryCheck.Snapshot(snapshot, 5).IsRejection);
        Assert.False(RecoveryCheck.Snapshot(LogPair.Empty(Device), 1).IsRejection);
    }

    [Fact]
    public void Should_refuse_a_snapshot_holding_more_entries_than_events_before_it()
    {
        var check = RecoveryCheck.Snapshot(Holding(MirrorLog().Entries), 4);

        Assert.Equal(Verdict.Malformed, check.Verdict);
        Assert.Contains("5 entries, more than the 4 events", check.Detail);
    }

    [Fact]
    public void Should_refuse_a_snapshot_whose_empty_log_has_a_head()
    {
        var snapshot = Holding(MirrorLog().Entries);
        var altered = snapshot with { DeviceLog = snapshot.DeviceLog with { Head = snapshot.MirrorLog.Head } };

        Assert.Equal(Verdict.BadHash, RecoveryCheck.Snapshot(altered, 100).Verdict);
    }

    [Fact]
    public void Should_refuse_a_snapshot_whose_journal_index_points_beyond_it_or_misses_a_checkpoint()
    {
        var snapshot = Holding(MirrorLog().Entries);
        var beyond = snapshot with { Index = snapshot.Index with { MirrorCheckpoints = [50] } };
        var missing = snapshot with { Index = JournalIndex.Empty };

        Assert.Equal(Verdict.Malformed, RecoveryCheck.Snapshot(beyond, 10).Verdict);
        Assert.Equal(Verdict.Malformed, RecoveryCheck.Snapshot(missing, 10).Verdict);
    }

    [Fact]
    public void Should_describe_a_failed_recovery_and_a_snapshot_fault()
    {
        Assert.Equal("recovery failed at journal event 7: no decoder", RecoveryFault.Failed(7, "no decoder").Describe());
        Assert.Equal("snapshot at journal event 9: Malformed: too many", RecoveryFault.Of(ChainCheck.Reject(Verdict.Malformed, 0, "too many"), null, 9).Describe());
    }
}
