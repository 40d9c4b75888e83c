using IoTSync.Logs;
using IoTSync.Model;
using Xunit;

namespace IoTSync.Tests.Logs;

public sealed class ChainVerifierSpecs
{
    private static readonly DeviceId Device = new("dev-a");
    private static readonly DeviceId OtherDevice = new("dev-b");

    /// <summary>Five entries of dev-a's device log: commands and results.</summary>
    private static TestLog DeviceLog()
    {
        var log = new TestLog(Device, Origin.Device);
        var first = log.Command("uptime");
        log.Command("set", "mode", "eco");
        log.Result(first.Ref);
        log.Command("df", "-h");
        log.Command("unset", "mode");
        return log;
    }

    /// <summary>Another device log of dev-a, different from <see cref="DeviceLog"/> from entry 1 on.</summary>
    private static TestLog ForkedDeviceLog()
    {
        var log = new TestLog(Device, Origin.Device, startWallMs: 1_800_000_000_000);
        log.Command("uptime", "--forked");
        log.Command("set", "mode", "turbo");
        log.Command("reboot");
        log.Command("df", "-h");
        log.Command("true");
        return log;
    }

    private static ChainCheck Check(LogPosition replica, IReadOnlyList<LogEntry> batch, Origin origin = Origin.Device) =>
        ChainVerifier.CheckBatch(Device, origin, replica, batch);

    private static LogEntry Rehash(LogEntry entry) => entry with { Hash = entry.ComputeHash() };

    private static void AssertRejected(ChainCheck check, Verdict verdict, long sequence)
    {
        Assert.Equal(verdict, check.Verdict);
        Assert.Equal(sequence, check.Sequence);
        Assert.True(check.IsRejection);
        Assert.Empty(check.NewEntries);
        Assert.False(string.IsNullOrWhiteSpace(check.Detail));
    }

    private static void AssertAppendable(ChainCheck check, IEnumerable<LogEntry> expected)
    {
        Assert.Equal(Verdict.Appendable, check.Verdict);
        Assert.False(check.IsRejection);
        Assert.Equal(0, check.Sequence);
        Assert.Equal(expected.Select(e => e.Sequence), check.NewEntries.Select(e => e.Sequence));
        Assert.Equal(expected.Select(e => e.Hash), check.NewEntries.Select(e => e.Hash));
    }

    private static void AssertHeld(ChainCheck check)
    {
        Assert.Equal(Verdict.AlreadyHeld, check.Verdict);
        Assert.False(check.IsRejection);
        Assert.Empty(check.NewEntries);
    }

    // ----- Appendable -----

    [Fact]
    public void Should_append_a_batch_that_starts_an_empty_replica()
    {
        var log = DeviceLog();

        var check = Check(log.PositionAt(0), log.Slice(1, 3));

        AssertAppendable(check, log.Slice(1, 3));
    }

    [Fact]
    public void Should_append_a_batch_that_continues_the_replica_from_the_middle()
    {
        var log = DeviceLog();

        var check = Check(log.PositionAt(2), log.Slice(3, 5));

        AssertAppendable(check, log.Slice(3, 5));
        Assert.Equal(log.Position, log.PositionAt(2).After(check.NewEntries));
    }

    [Fact]
    public void Should_append_a_mirror_log_with_a_cancel()
    {
        var log = new TestLog(Device, Origin.Mirror);
        var command = log.Command("reboot");
        log.Command("set", "mode", "eco");
        log.Cancel(command.Sequence);

        AssertAppendable(Check(log.PositionAt(0), log.Entries, Origin.Mirror), log.Entries);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Should_return_only_the_fresh_suffix_of_a_batch_that_passes_through_the_head(long from)
    {
        var log = DeviceLog();

        var check = Check(log.PositionAt(3), log.Slice(from, 5));

        AssertAppendable(check, log.Slice(4, 5));
    }

    // ----- AlreadyHeld -----

    [Fact]
    public void Should_call_an_exact_replay_already_held()
    {
        var log = DeviceLog();

        AssertHeld(Check(log.Position, log.Entries));
        AssertHeld(Check(log.Position, log.Slice(3, 5)));
        AssertHeld(Check(log.Position, log.Slice(5, 5)));
    }

    [Fact]
    public void Should_call_a_replay_of_a_prefix_already_held()
    {
        var log = DeviceLog();

        AssertHeld(Check(log.Position, log.Slice(1, 3)));
        AssertHeld(Check(log.PositionAt(4), log.Slice(2, 3)));
    }

    [Fact]
    public void Should_call_an_empty_batch_already_held()
    {
        var log = DeviceLog();

        AssertHeld(Check(log.PositionAt(0), []));
        AssertHeld(Check(log.Position, []));
    }

    // ----- Gap -----

    [Fact]
    public void Should_reject_a_batch_that_starts_past_the_replica_end_as_a_gap()
    {
        var log = DeviceLog();

        AssertRejected(Check(log.PositionAt(2), log.Slice(4, 5)), Verdict.Gap, 3);
        AssertRejected(Check(log.PositionAt(0), log.Slice(2, 3)), Verdict.Gap, 1);
    }

    [Fact]
    public void Should_reject_a_batch_that_skips_a_sequence_number_inside_as_a_gap()
    {
        var log = DeviceLog();
        LogEntry[] batch = [log[1], log[2], log[4], log[5]];

        AssertRejected(Check(log.PositionAt(0), batch), Verdict.Gap, 3);
    }

    [Fact]
    public void Should_reject_a_batch_that_repeats_a_sequence_number_inside()
    {
        var log = DeviceLog();
        LogEntry[] batch = [log[1], log[2], log[2], log[3]];

        var check = Check(log.PositionAt(0), batch);

        Assert.True(check.IsRejection);
        Assert.Empty(check.NewEntries);
    }

    // ----- Fork -----

    [Fact]
    public void Should_reject_an_overlap_that_holds_another_entry_at_the_replica_head_as_a_fork()
    {
        var held = DeviceLog();
        var forked = ForkedDeviceLog();

        AssertRejected(Check(held.PositionAt(3), forked.Slice(2, 5)), Verdict.Fork, 3);
        AssertRejected(Check(held.PositionAt(3), forked.Slice(1, 3)), Verdict.Fork, 3);
    }

    // ----- BadHash -----

    [Fact]
    public void Should_reject_content_altered_without_rehashing_as_a_bad_hash()
    {
        var log = DeviceLog();
        var batch = log.Slice(1, 4).ToArray();
        batch[1] = batch[1] with { Argv = ["set", "mode", "turbo"] };

        AssertRejected(Check(log.PositionAt(0), batch), Verdict.BadHash, 2);
    }

    [Fact]
    public void Should_reject_an_altered_entry_even_inside_an_overlap_already_held()
    {
        var log = DeviceLog();
        var batch = log.Slice(1, 5).ToArray();
        batch[0] = batch[0] with { Issuer = "mallory" };

        AssertRejected(Check(log.PositionAt(3), batch), Verdict.BadHash, 1);
    }

    [Fact]
    public void Should_reject_an_entry_chained_to_another_devices_genesis_as_a_bad_hash()
    {
        var foreign = new TestLog(OtherDevice, Origin.Device).Commands(3);

        AssertRejected(Check(LogPosition.Empty(Device, Origin.Device), foreign.Entries), Verdict.BadHash, 1);
        // The same log is fine for the device it belongs to.
        AssertAppendable(ChainVerifier.CheckBatch(OtherDevice, Origin.Device, LogPosition.Empty(OtherDevice, Origin.Device),
            foreign.Entries), foreign.Entries);
    }

    [Fact]
    public void Should_reject_an_entry_chained_to_the_other_origins_genesis_as_a_bad_hash()
    {
        // A mirror-origin entry whose chain starts at the DEVICE log's genesis of the same device.
        var entry = LogEntry.NewCommand(LogPosition.Empty(Device, Origin.Device), Origin.Mirror,
            new HlcTimestamp(1, 0), "api", ["reboot"]);

        AssertRejected(Check(LogPosition.Empty(Device, Origin.Mirror), [entry], Origin.Mirror), Verdict.BadHash, 1);
    }

    // ----- BadLink -----

    [Fact]
    public void Should_reject_a_previous_hash_rewritten_and_rehashed_as_a_bad_link()
    {
        var log = DeviceLog();
        var batch = log.Slice(1, 5).ToArray();
        batch[2] = Rehash(batch[2] with { PreviousHash = Sha256Hash.Of("elsewhere"u8) });

        AssertRejected(Check(log.PositionAt(0), batch), Verdict.BadLink, 3);
    }

    [Fact]
    public void Should_reject_a_batch_that_does_not_link_to_the_replica_head_as_a_bad_link()
    {
        var held = DeviceLog();
        var forked = ForkedDeviceLog();

        AssertRejected(Check(held.PositionAt(2), forked.Slice(3, 5)), Verdict.BadLink, 3);
    }

    // ----- Malformed -----

    [Fact]
    public void Should_reject_a_cancel_written_by_the_device_as_malformed()
    {
        var log = DeviceLog();
        var cancel = LogEntry.Create(log.Position, Origin.Device, EntryKind.Cancel, new HlcTimestamp(2_000_000_000_000, 0),
            "device", target: new CommandRef(Origin.Mirror, 1));

        AssertRejected(Check(log.Position, [cancel]), Verdict.Malformed, 6);
    }

    [Fact]
    public void Should_reject_a_result_written_by_the_mirror_as_malformed()
    {
        var log = new TestLog(Device, Origin.Mirror);
        var command = log.Command("reboot");
        var result = LogEntry.Create(log.Position, Origin.Mirror, EntryKind.Result, new HlcTimestamp(2_000_000_000_000, 0),
            "mirror", target: command.Ref, result: new ResultFields(CommandOutcome.Executed, 0, "", false, 1));

        AssertRejected(Check(log.PositionAt(0), [command, result], Origin.Mirror), Verdict.Malformed, 2);
    }

    [Fact]
    public void Should_reject_an_entry_of_the_other_origin_as_malformed()
    {
        var mirrorLog = new TestLog(Device, Origin.Mirror).Commands(2);
        var deviceLog = DeviceLog();

        AssertRejected(Check(LogPosition.Empty(Device, Origin.Device), mirrorLog.Entries, Origin.Device), Verdict.Malformed, 1);
        AssertRejected(Check(LogPosition.Empty(Device, Origin.Mirror), deviceLog.Entries, Origin.Mirror), Verdict.Malformed, 1);
    }

    [Fact]
    public void Should_reject_a_command_with_an_empty_argv_as_malformed()
    {
        var log = DeviceLog();
        var empty = LogEntry.Create(log.Position, Origin.Device, EntryKind.Command, new HlcTimestamp(2_000_000_000_000, 0),
            "device", argv: []);

        AssertRejected(Check(log.PositionAt(4), [log[5], empty]), Verdict.Malformed, 6);
    }

    [Fact]
    public void Should_reject_a_cancel_that_targets_a_device_command_as_malformed()
    {
        var log = new TestLog(Device, Origin.Mirror).Commands(1);
        var cancel = LogEntry.Create(log.Position, Origin.Mirror, EntryKind.Cancel, new HlcTimestamp(2_000_000_000_000, 0),
            "api", target: new CommandRef(Origin.Device, 1));

        AssertRejected(Check(log.Position, [cancel], Origin.Mirror), Verdict.Malformed, 2);
    }

    // ----- which entry a rejection names -----

    [Fact]
    public void Should_name_the_first_bad_entry_when_several_are_bad()
    {
        var log = DeviceLog();
        var batch = log.Slice(2, 5).ToArray();
        batch[1] = batch[1] with { Issuer = "mallory" };                                        // entry 3: bad hash
        batch[3] = Rehash(batch[3] with { Origin = Origin.Mirror });                             // entry 5: malformed

        AssertRejected(Check(log.PositionAt(1), batch), Verdict.BadHash, 3);
    }

    [Fact]
    public void Should_name_the_altered_entry_in_a_batch_that_starts_mid_log()
    {
        var log = DeviceLog();
        var batch = log.Slice(2, 5).ToArray();
        batch[2] = batch[2] with { Timestamp = new HlcTimestamp(0, 0) };

        var check = Check(log.PositionAt(1), batch);

        AssertRejected(check, Verdict.BadHash, 4);
        Assert.StartsWith("BadHash at 4", check.ToString());
    }

    // ----- claims -----

    [Fact]
    public void Should_reject_a_claim_of_a_shorter_log_as_shrunk()
    {
        var log = DeviceLog();

        AssertRejected(ChainVerifier.CheckClaim(log.PositionAt(4), log.PositionAt(2)), Verdict.LogShrank, 2);
        AssertRejected(ChainVerifier.CheckClaim(log.PositionAt(4), log.PositionAt(0)), Verdict.LogShrank, 0);
    }

    [Fact]
    public void Should_reject_a_claim_of_another_head_at_the_same_length_as_a_fork()
    {
        var held = DeviceLog();
        var forked = ForkedDeviceLog();

        AssertRejected(ChainVerifier.CheckClaim(held.PositionAt(3), forked.PositionAt(3)), Verdict.Fork, 3);
    }

    [Fact]
    public void Should_accept_a_claim_of_the_same_or_a_longer_log()
    {
        var log = DeviceLog();

        AssertHeld(ChainVerifier.CheckClaim(log.PositionAt(3), log.PositionAt(3)));
        AssertHeld(ChainVerifier.CheckClaim(log.PositionAt(0), log.PositionAt(0)));
        var longer = ChainVerifier.CheckClaim(log.PositionAt(3), log.PositionAt(5));
        Assert.Equal(Verdict.Appendable, longer.Verdict);
        Assert.Empty(longer.NewEntries);
    }
}
