using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Resources;
using IoTSync.Testing.Rig;

namespace IoTSync.Bench;

/// <summary>Options of <c>iotsync-bench api</c>.</summary>
/// <param name="ResultsDir">Where the JSON report goes.</param>
/// <param name="Devices">Devices in the simulated fleet.</param>
/// <param name="Seconds">How long the read load runs.</param>
/// <param name="Concurrency">Requests in flight at once (one HTTP/1.1 connection each).</param>
public sealed record ApiBenchOptions(string ResultsDir, int Devices, int Seconds, int Concurrency);

/// <summary>
/// The mirror's HTTP API under load: a real mirror process (Release) with a simulated fleet — each
/// device enrolled and given properties and commands through the API, so its state and mirror log
/// hold something — then state reads per second over HTTPS with a read token, and durable command
/// submissions per second with an operate token. Prints the figures and writes JSON under the results directory.
/// </summary>
public sealed class ApiBench(ApiBenchOptions options)
{
    private const int PropertiesPerDevice = 4;
    private const int CommandsPerDevice = 2;

    public async Task<int> Run()
    {
        var directory = Directory.CreateTempSubdirectory("iotsync-bench-api-").FullName;
        try
        {
            await using var deployment = await Deployment.Create(directory, NodeBinaries.Locate(), new DeploymentOptions { MirrorApi = true });
            await deployment.StartMirror();
            using var local = MirrorApiClient.ForSocket(deployment.MirrorSocket);
            var readToken = (await local.CreateToken(new CreateTokenRequest("bench-read", "read"))).Bearer;
            var operateToken = (await local.CreateToken(new CreateTokenRequest("bench-operate", "operate"))).Bearer;
            using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(deployment.FleetCaCertificate));
            Console.WriteLine($"api bench: {options.Devices} devices, {options.Concurrency} requests in flight, HTTPS on loopback, load {File.ReadAllText("/proc/loadavg").Trim()}");

            var enrolment = await Load([local], (_, n) => n < options.Devices, (api, n) => api.Enrol(Device(n)));
            Console.WriteLine($"  enrolled {options.Devices} devices: {enrolment.PerSecond:0} per second over the control socket");
            var perDevice = PropertiesPerDevice + CommandsPerDevice;
            var submissions = await WithClients(deployment, operateToken, ca, clients => Load(clients, (_, n) => n < options.Devices * perDevice, (api, n) =>
            {
                var (device, step) = (n % options.Devices, n / options.Devices);
                string[] argv = step < PropertiesPerDevice ? ["set", $"p{step}", $"value-{n}"] : ["echo", $"command-{n}"];
                return api.Submit(Id(device), new SubmitCommandRequest(argv));
            }));
            Console.WriteLine($"  command submissions (each durable in the device's journal before its 202): {submissions.PerSecond:0} per second, p50 {submissions.P50Ms:0.0} ms, p95 {submissions.P95Ms:0.0} ms");

            var reads = await WithClients(deployment, readToken, ca, async clients =>
            {
                // Warm-up: connections, TLS handshakes, JIT.
                await Task.WhenAll(clients.Select((api, i) => api.State(Id(i % options.Devices))));
                var until = Stopwatch.StartNew();
                return await Load(clients, (_, _) => until.Elapsed < TimeSpan.FromSeconds(options.Seconds), (api, n) => api.State(Id(n % options.Devices)));
            });
            Console.WriteLine($"  state reads: {reads.PerSecond:0} per second, p50 {reads.P50Ms:0.00} ms, p95 {reads.P95Ms:0.00} ms, p99 {reads.P99Ms:0.00} ms ({reads.Count} in {reads.Seconds:0.0} s)");

            var delivery = await WithClients(deployment, readToken, ca, 100, clients => EventDelivery(clients, deployment, operateToken, ca));
            Console.WriteLine($"  an entry stored to its event at 100 SSE subscribers: p50 {delivery.P50Ms:0.0} ms, p95 {delivery.P95Ms:0.0} ms, p99 {delivery.P99Ms:0.0} ms ({delivery.Count} deliveries)");

            var report = new
            {
                bench = "api",
                at = DateTimeOffset.UtcNow,
                machine = new { Environment.ProcessorCount, os = Environment.OSVersion.ToString(), dotnet = Environment.Version.ToString() },
                options.Devices,
                options.Concurrency,
                transport = "HTTPS on loopback, HTTP/1.1, bearer tokens",
                enrolment,
                submissions,
                reads,
                eventDelivery = delivery,
            };
            Directory.CreateDirectory(options.ResultsDir);
            var file = Path.Combine(options.ResultsDir, $"api-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"  written to {file}");
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Id(int device) => $"bench-{device:D5}";

    private static EnrolRequest Device(int i) =>
        new(Id(i), "127.0.0.1", 22, "iotsync", "SHA256:" + Convert.ToBase64String(SHA256.HashData(BitConverter.GetBytes(i))).TrimEnd('='),
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));

    private static MirrorApiClient Client(Deployment deployment, string token, X509Certificate2 ca) =>
        MirrorApiClient.ForUrl(deployment.ApiAddress!, token, ca);

    /// <summary>One client (one HTTPS connection) per request in flight, disposed after.</summary>
    private Task<Figures> WithClients(Deployment deployment, string token, X509Certificate2 ca, Func<IReadOnlyList<MirrorApiClient>, Task<Figures>> run) =>
        WithClients(deployment, token, ca, options.Concurrency, run);

    private static async Task<Figures> WithClients(Deployment deployment, string token, X509Certificate2 ca, int count, Func<IReadOnlyList<MirrorApiClient>, Task<Figures>> run)
    {
        var clients = Enumerable.Range(0, count).Select(_ => Client(deployment, token, ca)).ToList();
        try
        {
            return await run(clients);
        }
        finally
        {
            foreach (var api in clients)
                api.Dispose();
        }
    }

    /// <summary>
    /// Every subscriber on the fleet's event stream; then commands left one after the other, each only once all
    /// subscribers saw the last one's entry. The delay is from the entry's own timestamp (the mirror's wall clock
    /// when it wrote it; the same machine's clock the subscribers read, to the millisecond) to each subscriber reading it.
    /// </summary>
    private static async Task<Figures> EventDelivery(IReadOnlyList<MirrorApiClient> subscribers, Deployment deployment, string operateToken, X509Certificate2 ca)
    {
        const int Entries = 20;
        var streams = await Task.WhenAll(subscribers.Select(s => s.Events()));
        try
        {
            using var operate = Client(deployment, operateToken, ca);
            var delays = new List<double>();
            for (var i = 0; i < Entries; i++)
            {
                var marker = $"sse-{i}";
                var left = await operate.Submit(Id(0), new SubmitCommandRequest(["echo", marker]));
                var seen = await Task.WhenAll(streams.Select(stream => SeenAt(stream, left.Command.Hash)));
                delays.AddRange(seen.Select(at => (double)(at - left.Command.WallMs)));
            }
            return Figures.Of(delays, TimeSpan.Zero);
        }
        finally
        {
            foreach (var stream in streams)
                stream.Dispose();
        }
    }

    /// <summary>When (wall clock, ms) <paramref name="stream"/> delivers the entry with <paramref name="hash"/>.</summary>
    private static async Task<long> SeenAt(LiveEventReader stream, string hash)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await stream.Next(deadline.Token) is { } message)
            if (message.Type == "entry" && message.As<EntryEventResource>().Entry.Hash == hash)
                return DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        throw new InvalidOperationException("the event stream ended before the entry came");
    }

    /// <summary>Each client calls in turn, one request at a time, while <paramref name="more"/> says so for the next request number.</summary>
    private static async Task<Figures> Load(IReadOnlyList<MirrorApiClient> clients, Func<MirrorApiClient, int, bool> more, Func<MirrorApiClient, int, Task> call)
    {
        var next = -1;
        var latencies = new List<double>[clients.Count];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select(async (api, worker) =>
        {
            latencies[worker] = [];
            while (Interlocked.Increment(ref next) is var n && more(api, n))
            {
                var started = Stopwatch.GetTimestamp();
                await call(api, n);
                latencies[worker].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        return Figures.Of([.. latencies.SelectMany(l => l)], clock.Elapsed);
    }

    /// <summary>How many, how fast, and the latency percentiles in milliseconds.</summary>
    public sealed record Figures(int Count, double Seconds, double PerSecond, double P50Ms, double P95Ms, double P99Ms)
    {
        public static Figures Of(List<double> latencies, TimeSpan elapsed)
        {
            latencies.Sort();
            double At(double q) => latencies.Count == 0 ? 0 : latencies[Math.Min(latencies.Count - 1, (int)(q * latencies.Count))];
            return new Figures(latencies.Count, elapsed.TotalSeconds, elapsed > TimeSpan.Zero ? latencies.Count / elapsed.TotalSeconds : 0, At(0.50), At(0.95), At(0.99));
        }
    }
}
