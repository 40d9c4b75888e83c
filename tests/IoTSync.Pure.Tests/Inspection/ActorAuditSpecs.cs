using System.Text;
using IoTSync.Inspection;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Protocol;
using Xunit;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.Tests.Inspection;

/// <summary>The audit of one persistent actor's journal, fed in memory: what holds, and the first fault of each kind, named.</summary>
public sealed class ActorAuditSpecs
{
    [Fact]
    public void Should_find_nothing_wrong_in_an_intact_mirror_journal_and_match_its_snapshot()
    {
        var journal = StoredJournal.OfMirror();

        var report = StoredJournal.Audit(NodeRole.Mirror, journal.Stored(), journal.SnapshotAt(NodeRole.Mirror, 6));

        Assert.Empty(report.Findings);
        Assert.Equal(SnapshotCheck.Matches, report.Snapshot);
        Assert.Equal(journal.DeviceLog.Position, report.DeviceLog.Seen);
        Assert.Equal(journal.MirrorLog.Position, report.MirrorLog.Seen);
        Assert.Equal(journal.DeviceLog.Position, report.DeviceLog.Verified);
        Assert.Equal(8, report.Events);
        Assert.Equal(new KindCounts(2, 2, 0), report.DeviceLog.Kinds);
        Assert.Equal(2, ((StateJournalState)report.FinalState!).DeliveredThrough);
        Assert.Equal(StoredJournal.Start.AddSeconds(7), report.LastWrite);
    }

    [Fact]
    public void Should_find_nothing_wrong_in_an_intact_device_journal_replayed_through_the_recorder_state()
    {
        var journal = StoredJournal.OfDevice();

        var report = StoredJournal.Audit(NodeRole.Device, journal.Stored(), journal.SnapshotAt(NodeRole.Device, 2));

        Assert.Empty(report.Findings);
        Assert.Equal(SnapshotCheck.Matches, report.Snapshot);
        Assert.Equal("on", report.FinalLogs!.Model.Get("fan"));
    }

    [Fact]
    public void Should_name_the_entry_whose_content_no_longer_matches_its_hash()
    {
        var journal = StoredJournal.OfMirror();
        var stored = journal.Stored();
        var tampered = ((EntryAppended)stored[6].Event).Entry with { Argv = ["set", "mode", "BOOST"] };
        stored[6] = stored[6] with { Event = new EntryAppended(tampered) };

        var report = StoredJournal.Audit(NodeRole.Mirror, stored);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingPlace.MirrorLog, finding.Place);
        Assert.Equal(3, finding.Sequence);
        Assert.Equal(7, finding.JournalSequenceNr);
        Assert.Equal("device dev-a, mirror log, entry 3 (journal event 7): hash does not match the entry's content", finding.ToString());
        Assert.Null(report.FinalState);
    }

    [Fact]
    public void Should_name_both_the_journal_hole_and_the_missing_entry_when_an_event_is_deleted()
    {
        var journal = StoredJournal.OfMirror();
        var stored = journal.Stored();
        stored.RemoveAt(4);

        var report = StoredJournal.Audit(NodeRole.Mirror, stored);

        Assert.Collection(report.Findings,
            hole => Assert.Equal("device dev-a, journal, event 5: event 5 is missing: the journal goes from event 4 to event 6", hole.ToString()),
            missing => Assert.Equal("device dev-a, device log, entry 2 (journal event 6): entry 2 is missing: entry 3 comes where entry 2 belongs", missing.ToString()));
    }

    [Fact]
    public void Should_name_the_first_entry_out_of_place_when_two_events_are_swapped()
    {
        var journal = StoredJournal.OfMirror();
        var stored = journal.Stored();
        (stored[4], stored[5]) = (stored[5] with { JournalSequenceNr = 5 }, stored[4] with { JournalSequenceNr = 6 });

        var report = StoredJournal.Audit(NodeRole.Mirror, stored);

        var finding = Assert.Single(report.Findings);
        Assert.Equal((FindingPlace.DeviceLog, 2L, 5L), (finding.Place, finding.Sequence, finding.JournalSequenceNr!.Value));
    }

    [Fact]
    public void Should_name_an_entry_that_comes_twice()
    {
        var journal = StoredJournal.OfMirror();
        var stored = journal.Stored();
        stored.Add(new StoredEvent(9, stored[^1].WrittenAtUtcTicks, stored[0].Event));

        var finding = Assert.Single(StoredJournal.Audit(NodeRole.Mirror, stored).Findings);

        Assert.Equal(FindingPlace.MirrorLog, finding.Place);
        Assert.Equal(1, finding.Sequence);
        Assert.Contains("comes again", finding.Reason);
    }

    [Fact]
    public void Should_report_an_undecodable_entry_in_its_log_with_its_sequence_and_check_nothing_more_there()
    {
        var journal = StoredJournal.OfMirror();
        var stored = journal.Stored();
        // The argv's closing bracket of device entry 2 replaced: the JSON breaks after origin and sequence.
        stored[4] = stored[4] with { Event = StoredJournal.Spoiled(stored[4].Event, bytes => Replace(bytes, "\"target\"", "\"target'")) };

        var report = StoredJournal.Audit(NodeRole.Mirror, stored);

        var finding = Assert.Single(report.Findings);
        Assert.Equal((FindingPlace.DeviceLog, 2L, 5L), (finding.Place, finding.Sequence, finding.JournalSequenceNr!.Value));
        Assert.StartsWith("the 'entry-appended' payload does not decode: malformed 'entry-appended'", finding.Reason);
    }

    [Fact]
    public void Should_report_an_undecodable_event_of_unknown_log_by_its_journal_sequence_number()
    {
        var journal = StoredJournal.OfMirror();
        var stored = journal.Stored();
        stored[3] = stored[3] with { Event = StoredJournal.Spoiled(stored[3].Event, bytes => [.. "x"u8, .. bytes[1..]]) };

        var finding = Assert.Single(StoredJournal.Audit(NodeRole.Mirror, stored).Findings);

        Assert.Equal((FindingPlace.Journal, 4L), (finding.Place, finding.Sequence));
        Assert.Contains("'delivery-confirmed' payload does not decode", finding.Reason);
    }

    [Fact]
    public void Should_refuse_an_event_the_actor_never_writes()
    {
        var journal = StoredJournal.OfDevice();
        journal.Events.Insert(1, new DeliveryConfirmed(1));

        var finding = Assert.Single(StoredJournal.Audit(NodeRole.Device, journal.Stored()).Findings);

        Assert.Equal("device dev-a, journal, event 2: a 'delivery-confirmed' event does not belong in a command-recorder journal", finding.ToString());
    }

    [Fact]
    public void Should_name_the_snapshot_whose_state_differs_from_the_replay()
    {
        var journal = StoredJournal.OfMirror();
        var snapshot = journal.SnapshotAt(NodeRole.Mirror, 7);
        var state = (StateJournalState)snapshot.State;
        var altered = snapshot with
        {
            State = state with { Logs = state.Logs with { Model = state.Logs.Model.Apply(journal.DeviceLog.Command("set", "planted", "yes")) } },
        };

        var report = StoredJournal.Audit(NodeRole.Mirror, journal.Stored().Take(8), altered);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(SnapshotCheck.Differs, report.Snapshot);
        Assert.Equal((FindingPlace.Snapshot, 7L), (finding.Place, finding.Sequence));
        Assert.StartsWith("state digest differs: snapshot ", finding.Reason);
        Assert.EndsWith("(replaying events 1..7)", finding.Reason);
    }

    /// <summary>The mirror journal with window history among its entries: heartbeats and a session.</summary>
    private static StoredJournal WithWindows()
    {
        var journal = StoredJournal.OfMirror();
        journal.Events.Insert(2, new HeartbeatRecorded(1_790_000_000_000, 30_000, null));
        journal.Events.Insert(4, new SessionRecorded("s1", 1_790_000_000_100, 1_790_000_000_300, 200, 2, 1, null, "Converged", null));
        journal.Events.Add(new HeartbeatRecorded(1_790_000_030_000, 30_000, new WindowReport(1, 420, 80, "synced")));
        return journal;
    }

    [Fact]
    public void Should_replay_window_history_through_the_state_journal_and_match_a_snapshot_that_holds_it()
    {
        var journal = WithWindows();

        var report = StoredJournal.Audit(NodeRole.Mirror, journal.Stored(), journal.SnapshotAt(NodeRole.Mirror, 9));

        Assert.Empty(report.Findings);
        Assert.Equal(SnapshotCheck.Matches, report.Snapshot);
        Assert.Equal(journal.DeviceLog.Position, report.DeviceLog.Verified);
        var history = ((StateJournalState)report.FinalState!).History;
        Assert.Equal(2, history.WindowCount);
        Assert.Equal("synced", history.Recent[0].Device!.Outcome);
        Assert.Equal("s1", history.Recent[0].Session!.SessionId);
    }

    [Fact]
    public void Should_name_a_snapshot_whose_window_history_differs_from_the_replay()
    {
        var journal = WithWindows();
        var snapshot = journal.SnapshotAt(NodeRole.Mirror, 11);
        var state = (StateJournalState)snapshot.State;
        var altered = snapshot with { State = state with { Windows = state.History with { LastHeartbeatAtUnixMs = 1_790_000_000_000 } } };

        var finding = Assert.Single(StoredJournal.Audit(NodeRole.Mirror, journal.Stored(), altered).Findings);

        Assert.Equal("window history differs: snapshot 2 windows, last heartbeat at 1790000000000, " +
            "replay 2 windows, last heartbeat at 1790000030000 (replaying events 1..11)", finding.Reason);
    }

    [Fact]
    public void Should_refuse_window_history_in_a_device_journal()
    {
        var journal = StoredJournal.OfDevice();
        journal.Events.Insert(1, new HeartbeatRecorded(1, 30_000, null));

        var finding = Assert.Single(StoredJournal.Audit(NodeRole.Device, journal.Stored()).Findings);

        Assert.Equal("device dev-a, journal, event 2: a 'heartbeat-recorded' event does not belong in a command-recorder journal", finding.ToString());
    }

    [Fact]
    public void Should_name_a_snapshot_that_disagrees_on_delivery()
    {
        var journal = StoredJournal.OfMirror();
        var snapshot = journal.SnapshotAt(NodeRole.Mirror, 8);
        var altered = snapshot with { State = ((StateJournalState)snapshot.State) with { DeliveredThrough = 3 } };

        var finding = Assert.Single(StoredJournal.Audit(NodeRole.Mirror, journal.Stored(), altered).Findings);

        Assert.Equal("delivered-through differs: snapshot 3, replay 2 (replaying events 1..8)", finding.Reason);
    }

    [Fact]
    public void Should_name_a_snapshot_past_the_journal_end_where_events_were_cut_off()
    {
        var journal = StoredJournal.OfMirror();

        var finding = Assert.Single(StoredJournal.Audit(NodeRole.Mirror, journal.Stored().Take(5), journal.SnapshotAt(NodeRole.Mirror, 7)).Findings);

        Assert.Equal((FindingPlace.Snapshot, 7L), (finding.Place, finding.Sequence));
        Assert.Contains("the journal ends at event 5", finding.Reason);
    }

    [Fact]
    public void Should_name_a_snapshot_that_does_not_decode()
    {
        var journal = StoredJournal.OfMirror();
        var snapshot = journal.SnapshotAt(NodeRole.Mirror, 8);
        var spoiled = snapshot with { State = StoredJournal.Spoiled(snapshot.State, bytes => bytes[..^3]) };

        var finding = Assert.Single(StoredJournal.Audit(NodeRole.Mirror, journal.Stored(), spoiled).Findings);

        Assert.Equal(FindingPlace.Snapshot, finding.Place);
        Assert.StartsWith("the snapshot does not decode: malformed 'journal-state'", finding.Reason);
    }

    [Fact]
    public void Should_not_compare_a_snapshot_the_replay_never_reached()
    {
        var journal = StoredJournal.OfMirror();
        var stored = journal.Stored();
        stored[1] = stored[1] with { Event = new EntryAppended(((EntryAppended)stored[1].Event).Entry with { Issuer = "someone-else" }) };

        var report = StoredJournal.Audit(NodeRole.Mirror, stored, journal.SnapshotAt(NodeRole.Mirror, 6));

        Assert.Equal(SnapshotCheck.NotReached, report.Snapshot);
        Assert.Equal(FindingPlace.MirrorLog, Assert.Single(report.Findings).Place);
    }

    [Fact]
    public void Should_keep_entries_and_count_recent_writes_when_asked()
    {
        var journal = StoredJournal.OfMirror();

        var report = StoredJournal.Audit(NodeRole.Mirror, journal.Stored(), keepEntries: true, countSince: StoredJournal.Start.AddSeconds(5));

        Assert.Equal(journal.DeviceLog.Entries.Select(e => e.Hash), report.DeviceLog.Entries!.Select(e => e.Hash));
        Assert.Equal(journal.MirrorLog.Entries.Select(e => e.Hash), report.MirrorLog.Entries!.Select(e => e.Hash));
        Assert.Equal(3, report.EventsWrittenSince);
    }

    [Fact]
    public void Should_remember_a_divergence_for_the_listing()
    {
        var journal = StoredJournal.OfMirror();
        journal.Events.Add(new DivergenceDetected(Origin.Device, Verdict.Fork, 3, "another head", 1));

        var report = StoredJournal.Audit(NodeRole.Mirror, journal.Stored());

        Assert.Empty(report.Findings);
        Assert.Equal("diverged in the Device log: Fork at 3: another head", report.Divergence!.Describe());
    }

    private static byte[] Replace(byte[] bytes, string from, string to)
    {
        var text = Encoding.UTF8.GetString(bytes);
        Assert.Contains(from, text);
        return Encoding.UTF8.GetBytes(text.Replace(from, to, StringComparison.Ordinal));
    }
}
