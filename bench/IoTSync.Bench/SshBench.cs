using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using IoTSync.Logs;
using IoTSync.Mirror.Ssh;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Testing.Ssh;

namespace IoTSync.Bench;

/// <summary>Options of <c>iotsync-bench ssh</c>.</summary>
/// <param name="ResultsDir">Where the JSON report goes.</param>
/// <param name="Connects">Connects measured per key exchange.</param>
public sealed record SshBenchOptions(string ResultsDir, int Connects);

/// <summary>
/// What opening a session costs against a private sshd on loopback, step by step and per key
/// exchange; the first framed answer by the account's shell; and a framed round trip on an open
/// session (a delayed-ACK stall would show as about 40 ms). Prints the figures, writes JSON under
/// the results directory, and exits 1 when a figure is past the bound the transport is built for.
/// </summary>
public sealed class SshBench(SshBenchOptions options)
{
    private const string Echo = "/bin/cat";
    private static readonly DeviceId Device = new("dev-timing");
    private static readonly Hello Hello = new(Device, "timing", ExchangeMessage.ProtocolVersion, LogPair.Empty(Device).View);
    private readonly List<string> _pastBounds = [];

    public async Task<int> Run()
    {
        if (PrivateSshd.Unavailable() is { } reason)
        {
            Console.Error.WriteLine($"iotsync-bench: sshd cannot run here: {reason}");
            return 2;
        }
        Console.WriteLine($"ssh bench: {options.Connects} connects each, ed25519 host and client keys, loopback, load {File.ReadAllText("/proc/loadavg").Trim()}");
        var connects = await ConnectTimings();
        var firstAnswers = await FirstAnswerByShell();
        var roundTrip = await RoundTrips();
        var report = new
        {
            bench = "ssh",
            at = DateTimeOffset.UtcNow,
            machine = new { Environment.ProcessorCount, os = Environment.OSVersion.ToString(), dotnet = Environment.Version.ToString() },
            options.Connects,
            connects,
            firstAnswers,
            roundTrip,
            pastBounds = _pastBounds,
        };
        Directory.CreateDirectory(options.ResultsDir);
        var file = Path.Combine(options.ResultsDir, $"ssh-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"  written to {file}");
        foreach (var past in _pastBounds)
            Console.Error.WriteLine($"iotsync-bench: past the bound: {past}");
        return _pastBounds.Count == 0 ? 0 : 1;
    }

    private async Task<List<object>> ConnectTimings()
    {
        await using var sshd = await PrivateSshd.Start(_ => Echo);
        var results = new List<object>();
        foreach (var kex in new ImmutableArray<string>[] { [], ["curve25519-sha256"], ["ecdh-sha2-nistp256"] })
        {
            var settings = sshd.Settings() with { KeyExchangeAlgorithms = kex };
            // One connect first so that JIT and first-use costs do not count.
            await (await SshTransport.Open(settings, Timeout())).DisposeAsync();
            var timings = new List<SshConnectTimings>();
            var answers = new List<TimeSpan>();
            var used = "";
            for (var i = 0; i < options.Connects; i++)
            {
                await using var session = await SshTransport.Open(settings, Timeout());
                var first = Stopwatch.StartNew();
                await session.Channel.Send(Hello, Timeout());
                answers.Add(first.Elapsed);
                timings.Add(session.Timings);
                used = session.KeyExchangeAlgorithm;
            }
            var connect = Median(timings.Select(t => t.ConnectAndAuthenticate));
            var steps = new
            {
                keyExchange = used,
                connectAndAuthMedianMs = connect.TotalMilliseconds,
                connectAndAuthMinMs = timings.Min(t => t.ConnectAndAuthenticate).TotalMilliseconds,
                connectAndAuthMaxMs = timings.Max(t => t.ConnectAndAuthenticate).TotalMilliseconds,
                bannerMs = Median(timings.Select(t => t.ServerIdentified)).TotalMilliseconds,
                keyExchangeMs = Median(timings.Select(t => t.HostKeyVerified - t.ServerIdentified)).TotalMilliseconds,
                restOfKexAndAuthMs = Median(timings.Select(t => t.Authenticated - t.HostKeyVerified)).TotalMilliseconds,
                commandStartMs = Median(timings.Select(t => t.CommandStarted - t.Authenticated)).TotalMilliseconds,
                firstAnswerMs = Median(answers).TotalMilliseconds,
            };
            Console.WriteLine(
                $"  {used,-24} connect+auth median {Ms(connect)} (min {steps.connectAndAuthMinMs:0.0} ms, max {steps.connectAndAuthMaxMs:0.0} ms); " +
                $"steps: banner {steps.bannerMs:0.0} ms, key exchange {steps.keyExchangeMs:0.0} ms, rest of kex + auth {steps.restOfKexAndAuthMs:0.0} ms, " +
                $"command start {steps.commandStartMs:0.0} ms, first answer {steps.firstAnswerMs:0.0} ms ({sshd.AccountShell} -c {Echo})");
            if (connect >= TimeSpan.FromSeconds(5))
                _pastBounds.Add($"median connect+auth {connect} with {used} (bound 5 s)");
            results.Add(steps);
        }
        return results;
    }

    private async Task<Dictionary<string, double>> FirstAnswerByShell()
    {
        var firstAnswers = new Dictionary<string, double>();
        foreach (var sshdOptions in new[] { new SshdOptions(), new SshdOptions { AccountShell = null } })
        {
            await using var sshd = await PrivateSshd.Start(_ => Echo, sshdOptions);
            var answers = new List<TimeSpan>();
            for (var i = 0; i < 3; i++)
            {
                await using var session = await SshTransport.Open(sshd.Settings(), Timeout());
                var first = Stopwatch.StartNew();
                await session.Channel.Send(Hello, Timeout());
                answers.Add(first.Elapsed);
            }
            firstAnswers[sshd.AccountShell] = Median(answers).TotalMilliseconds;
            if (Median(answers) >= TimeSpan.FromSeconds(10))
                _pastBounds.Add($"first answer with {sshd.AccountShell}: {Median(answers)} (bound 10 s)");
        }
        Console.WriteLine($"  first framed answer after the session opened (median of 3), by the account's shell: " +
                          string.Join(", ", firstAnswers.Select(a => $"{a.Key}: {a.Value:0.0} ms")));
        return firstAnswers;
    }

    private async Task<object> RoundTrips()
    {
        await using var sshd = await PrivateSshd.Start(_ => Echo);
        await using var session = await SshTransport.Open(sshd.Settings(), Timeout());
        await session.Channel.Send(Hello, Timeout());
        var roundTrips = new List<TimeSpan>();
        for (var i = 0; i < 50; i++)
        {
            var one = Stopwatch.StartNew();
            await session.Channel.Send(Hello, Timeout());
            roundTrips.Add(one.Elapsed);
        }
        var median = Median(roundTrips);
        Console.WriteLine($"  framed Hello round trip through sshd and cat: median {Ms(median)}, max {Ms(roundTrips.Max())}");
        // Nagle's algorithm against a delayed ACK would show as about 40 ms per round trip on Linux.
        if (median >= TimeSpan.FromMilliseconds(30))
            _pastBounds.Add($"median round trip {median} (bound 30 ms)");
        return new { medianMs = median.TotalMilliseconds, maxMs = roundTrips.Max().TotalMilliseconds, count = roundTrips.Count };
    }

    private static TimeSpan Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0.0} ms";

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}
