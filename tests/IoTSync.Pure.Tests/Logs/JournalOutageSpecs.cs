using Akka.Configuration;
using IoTSync.Logs;
using IoTSync.Persistence;
using Microsoft.Data.Sqlite;
using Xunit;

namespace IoTSync.Tests.Logs;

/// <summary>
/// What a <see cref="JournalSupervisor"/> does with a request (<see cref="JournalOutage"/>), when it restarts its
/// child (<see cref="JournalRestartSettings"/>), and how the fault is named (<see cref="JournalFault"/>).
/// </summary>
public sealed class JournalOutageSpecs
{
    private static readonly JournalRestartSettings Backoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2);
    private const string Full = "database full: SQLite Error 13: 'database or disk is full'.";

    [Fact]
    public void Should_forward_while_healthy()
    {
        Assert.Null(JournalOutage.Healthy.Refusal);
        Assert.Null(JournalOutage.Healthy.Fault);
    }

    [Fact]
    public void Should_answer_with_the_fault_from_the_moment_the_child_says_it_failed_until_it_is_restarted()
    {
        var failed = JournalOutage.Healthy.Failed(Full);
        Assert.Equal(Full, failed.Refusal);

        var (down, delay) = failed.Stopped(Backoff, random: 0);
        Assert.Equal(Full, down.Refusal);
        Assert.Equal(TimeSpan.FromSeconds(1), delay);

        var restarted = down.Restarted();
        Assert.Null(restarted.Refusal);
        Assert.Equal((Full, 1), (restarted.Fault, restarted.Restarts));
        Assert.Equal(JournalOutage.Healthy, restarted.Written());
    }

    [Fact]
    public void Should_answer_while_down_even_when_the_stop_is_heard_before_its_reason()
    {
        var (down, _) = JournalOutage.Healthy.Stopped(Backoff, 0);
        Assert.Equal(JournalOutage.StoppedUnexplained, down.Refusal);
        Assert.Equal(Full, down.Failed(Full).Refusal);
    }

    [Fact]
    public void Should_back_off_longer_with_each_restart_that_did_not_write_and_start_again_after_a_write()
    {
        var outage = JournalOutage.Healthy;
        var delays = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            (outage, var delay) = outage.Failed(Full).Stopped(Backoff, 0);
            delays.Add(delay.TotalSeconds);
            outage = outage.Restarted();
        }
        Assert.Equal([1, 2, 4, 8, 16, 30, 30], delays);
        Assert.Equal(TimeSpan.FromSeconds(1), outage.Written().Failed(Full).Stopped(Backoff, 0).RestartAfter);
    }

    [Fact]
    public void Should_stretch_each_delay_by_at_most_the_random_factor()
    {
        Assert.Equal(TimeSpan.FromSeconds(1.2), Backoff.DelayAfter(0, 1));
        Assert.Equal(TimeSpan.FromSeconds(36), Backoff.DelayAfter(12, 1));
        Assert.Equal(TimeSpan.FromSeconds(30), Backoff.DelayAfter(int.MaxValue, 0));
    }

    [Theory]
    [InlineData(13, "database full: ")]
    [InlineData(10, "disk I/O error: ")]
    [InlineData(5, "journal unavailable: ")]
    public void Should_name_a_sqlite_failure_by_its_code_however_deeply_it_is_wrapped(int code, string named)
    {
        var sqlite = new SqliteException($"SQLite Error {code}: 'x'.", code);
        var wrapped = new AggregateException(new InvalidOperationException("write failed", sqlite));

        Assert.Equal(named + sqlite.Message, JournalFault.Describe(sqlite));
        Assert.StartsWith(named, JournalFault.Describe(wrapped));
    }

    [Fact]
    public void Should_name_no_space_left_and_anything_else()
    {
        Assert.Equal("database full: No space left on device", JournalFault.Describe(new IOException("No space left on device", 28)));
        Assert.Equal("journal unavailable: gone", JournalFault.Describe(new InvalidOperationException("outer", new TimeoutException("gone"))));
    }

    [Fact]
    public void Should_read_the_back_off_from_shared_hocon_and_refuse_bad_values()
    {
        var shared = ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "shared.hocon")));
        Assert.Equal(Backoff, JournalRestartSettings.FromConfig(shared));

        Assert.Contains("max-backoff", Assert.Throws<ConfigurationException>(() => JournalRestartSettings.FromConfig(
            ConfigurationFactory.ParseString("iotsync.journal-restart { min-backoff = 5s, max-backoff = 1s, random-factor = 0 }"))).Message);
        Assert.Contains("random-factor", Assert.Throws<ConfigurationException>(() => JournalRestartSettings.FromConfig(
            ConfigurationFactory.ParseString("iotsync.journal-restart { min-backoff = 1s, max-backoff = 2s, random-factor = 3 }"))).Message);
    }

    [Fact]
    public void Should_take_an_unreadable_store_for_an_outage_and_an_undecodable_or_damaged_journal_for_corruption()
    {
        Assert.True(JournalFault.IsStoreOutage(new Akka.Pattern.OpenCircuitException("Circuit Breaker is open; calls are failing fast")));
        Assert.True(JournalFault.IsStoreOutage(new AggregateException(new TimeoutException("no answer"))));
        Assert.True(JournalFault.IsStoreOutage(new InvalidOperationException("outer", new SqliteException("database is locked", 5))));
        Assert.True(JournalFault.IsStoreOutage(new SqliteException("database or disk is full", 13)));
        Assert.False(JournalFault.IsStoreOutage(new FormatException("malformed 'entry-appended': bad hash")));
        Assert.False(JournalFault.IsStoreOutage(new SqliteException("database disk image is malformed", 11)));
        Assert.False(JournalFault.IsStoreOutage(new SqliteException("file is not a database", 26)));
        Assert.False(JournalFault.IsStoreOutage(new InvalidCastException("not a state")));
    }
}
