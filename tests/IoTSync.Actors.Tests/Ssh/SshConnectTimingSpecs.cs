using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using IoTSync.Journal;
using IoTSync.Mirror.Ssh;
using IoTSync.Model;
using IoTSync.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace IoTSync.Tests.Ssh;

/// <summary>
/// Measures what opening a session costs against the real sshd on loopback, step by step, and a
/// framed round trip on an open session. Prints the figures (run with
/// <c>--logger "console;verbosity=detailed"</c>); IOTSYNC_SSH_CONNECTS sets the number of connects.
/// </summary>
public sealed class SshConnectTimingSpecs(ITestOutputHelper output)
{
    private const string Echo = "/bin/cat";
    private static readonly DeviceId Device = new("dev-timing");
    private static readonly Hello Hello = new(Device, "timing", ExchangeMessage.ProtocolVersion, LogPair.Empty(Device).View);

    [SkippableFact]
    public async Task Should_connect_authenticate_and_start_the_command_in_bounded_time_and_report_where_it_goes()
    {
        SshdFixture.SkipUnlessAvailable();
        await using var sshd = await SshdFixture.Start(_ => Echo);
        var connects = int.TryParse(Environment.GetEnvironmentVariable("IOTSYNC_SSH_CONNECTS"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 20;
        output.WriteLine($"{connects} connects each, ed25519 host and client keys, loopback, load {File.ReadAllText("/proc/loadavg").Trim()}");

        foreach (var kex in new ImmutableArray<string>[] { [], ["curve25519-sha256"], ["ecdh-sha2-nistp256"] })
        {
            var settings = sshd.Settings() with { KeyExchangeAlgorithms = kex };
            // One connect first so that JIT and first-use costs do not count.
            await (await SshTransport.Open(settings, Timeout())).DisposeAsync();
            var timings = new List<SshConnectTimings>();
            var answers = new List<TimeSpan>();
            string used = "";
            for (var i = 0; i < connects; i++)
            {
                await using var session = await SshTransport.Open(settings, Timeout());
                var first = Stopwatch.StartNew();
                await session.Channel.Send(Hello, Timeout());
                answers.Add(first.Elapsed);
                timings.Add(session.Timings);
                used = session.KeyExchangeAlgorithm;
            }
            var connect = Median(timings.Select(t => t.ConnectAndAuthenticate));
            output.WriteLine(
                $"{used,-24} connect+auth median {Ms(connect)} (min {Ms(timings.Min(t => t.ConnectAndAuthenticate))}, max {Ms(timings.Max(t => t.ConnectAndAuthenticate))}); " +
                $"steps: banner {Ms(Median(timings.Select(t => t.ServerIdentified)))}, " +
                $"key exchange {Ms(Median(timings.Select(t => t.HostKeyVerified - t.ServerIdentified)))}, " +
                $"rest of kex + auth {Ms(Median(timings.Select(t => t.Authenticated - t.HostKeyVerified)))}, " +
                $"command start {Ms(Median(timings.Select(t => t.CommandStarted - t.Authenticated)))}, " +
                $"first answer {Ms(Median(answers))} ({sshd.AccountShell} -c {Echo})");
            Assert.True(connect < TimeSpan.FromSeconds(5), $"median connect+auth {connect} with {used}");
        }
    }

    [SkippableFact]
    public async Task Should_answer_the_first_request_in_bounded_time_whatever_the_accounts_shell()
    {
        SshdFixture.SkipUnlessAvailable();
        var firstAnswers = new List<string>();
        foreach (var options in new[] { new SshdOptions(), new SshdOptions { AccountShell = null } })
        {
            await using var sshd = await SshdFixture.Start(_ => Echo, options);
            var answers = new List<TimeSpan>();
            for (var i = 0; i < 3; i++)
            {
                await using var session = await SshTransport.Open(sshd.Settings(), Timeout());
                var first = Stopwatch.StartNew();
                await session.Channel.Send(Hello, Timeout());
                answers.Add(first.Elapsed);
            }
            firstAnswers.Add($"{sshd.AccountShell}: {Ms(Median(answers))}");
            Assert.True(Median(answers) < TimeSpan.FromSeconds(10), $"{sshd.AccountShell}: {Median(answers)}");
        }
        output.WriteLine($"first framed answer after the session opened (median of 3), by the account's shell: {string.Join(", ", firstAnswers)}");
    }

    [SkippableFact]
    public async Task Should_answer_a_framed_request_without_a_delayed_ack_stall()
    {
        SshdFixture.SkipUnlessAvailable();
        await using var sshd = await SshdFixture.Start(_ => Echo);
        await using var session = await SshTransport.Open(sshd.Settings(), Timeout());
        var hello = Hello;
        await session.Channel.Send(hello, Timeout());

        var roundTrips = new List<TimeSpan>();
        for (var i = 0; i < 50; i++)
        {
            var one = Stopwatch.StartNew();
            await session.Channel.Send(hello, Timeout());
            roundTrips.Add(one.Elapsed);
        }

        var median = Median(roundTrips);
        output.WriteLine($"framed Hello round trip through sshd and cat: median {Ms(median)}, max {Ms(roundTrips.Max())}");
        // Nagle's algorithm against a delayed ACK would show as about 40 ms per round trip on Linux.
        Assert.True(median < TimeSpan.FromMilliseconds(30), $"median round trip {median}");
    }

    private static TimeSpan Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0.0} ms";

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}
