using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using Xunit;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Inspection;

/// <summary>
/// The journal commands beside a running node: a StateJournal keeps writing (and snapshotting,
/// and deleting old snapshots) while the real executable lists and verifies its database. The
/// tool reads a consistent journal, and the node's writes never wait for it.
/// </summary>
public sealed class BesideRunningNodeSpecs : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly DeviceId Busy = new("busy");
    private readonly SqliteTestDatabase _db = new("mirror");

    [Fact]
    public async Task Should_verify_a_journal_being_written_without_stalling_the_writer()
    {
        var system = _db.Start(snapshotEvery: 25);
        var journal = system.ActorOf(StateJournal.Props(Busy, StateJournalSettings.Default with { Journal = _db.LogHolder(25) },
            SystemWallClock.Instance), "journal");
        for (var i = 0; i < 200; i++)
            await journal.Ask<Submitted>(new SubmitCommand(Busy, ["set", $"k{i % 7}", $"{i}"], "app", null), Timeout);

        var acks = new ConcurrentQueue<long>();
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await journal.Ask<Submitted>(new SubmitCommand(Busy, ["set", $"k{i % 7}", $"w{i}"], "app", null), Timeout);
                acks.Enqueue(clock.ElapsedMilliseconds);
            }
        });

        var started = clock.ElapsedMilliseconds;
        var verify = await NodeCliRunner.RunMirror("journal", "verify", "--db", _db.Path);
        var list = await NodeCliRunner.RunMirror("journal", "list", "--db", _db.Path, "--json");
        var finished = clock.ElapsedMilliseconds;
        await stop.CancelAsync();
        await writer.WaitAsync(Timeout);

        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.True(verify.Stdout.Contains("snapshot at event", StringComparison.Ordinal), verify.ToString());
        Assert.True(list.ExitCode == 0, list.ToString());
        var during = acks.Where(t => t >= started && t <= finished).Prepend(started).Append(finished).ToArray();
        Assert.True(during.Length > 10, $"only {during.Length - 2} writes acknowledged while the tool read for {finished - started} ms");
        var longestWait = during.Zip(during.Skip(1), (a, b) => b - a).Max();
        Assert.True(longestWait < 5000, $"the writer waited {longestWait} ms between two acknowledgements while the tool read");
    }

    public void Dispose() => _db.Dispose();
}
