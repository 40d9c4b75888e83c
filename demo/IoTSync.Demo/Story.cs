using System.Diagnostics;
using System.Text.Json;
using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Resources;
using IoTSync.Testing;
using IoTSync.Testing.Rig;

namespace IoTSync.Demo;

/// <summary>One step of the story failed: what was expected, and what was seen instead.</summary>
public sealed class StepFailed(string message) : Exception(message);

/// <summary>
/// The demo's story on a running <see cref="Deployment"/>: a command each way, a property set on
/// each side, equal state digests, and the windows the device saw. Each step prints one line
/// when it is seen; the first that is not seen in time throws <see cref="StepFailed"/>.
/// </summary>
public sealed class Story(Deployment deployment, string token, TextWriter output)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    public async Task Run()
    {
        var clock = Stopwatch.StartNew();
        var device = deployment.DeviceId;

        // 1. Application → mirror → device: a command left over HTTPS with a token runs in the device's next window, its output comes back.
        using var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(deployment.FleetCaCertificate));
        using var api = MirrorApiClient.ForUrl(deployment.ApiAddress!, token, ca);
        var left = await api.Submit(device, new SubmitCommandRequest(["uname", "-sr"]));
        var sequence = left.Sequence;
        Say($"application: left 'uname -sr' for {device} over HTTPS (202 Accepted, mirror command {sequence}, issuer {left.Command.Issuer}); the device is dark until its next window");
        CommandResource? resolved = null;
        await Until("the mirror command's result back at the mirror", async () =>
        {
            // The mirror answers once the result is stored, or after 10 s with the status as it stands.
            resolved = await api.Command(device, sequence, waitMs: 10_000);
            return resolved.Status == "resolved" ? true : (bool?)null;
        });
        var result = resolved!.Result!;
        Expect(result.Outcome == "executed", $"the command ran (outcome {result.Outcome})");
        Say($"application: result of command {sequence} came back: exit {result.ExitCode}, output \"{result.Output.Trim()}\"");

        // 2. Device → mirror: a command run on the device with exec appears at the mirror.
        var exec = (await deployment.DeviceCli(["exec", "--", "echo", "hello from the device"])).EnsureSuccess("iotsync-device exec");
        Expect(exec.Stdout == "hello from the device\n", $"exec printed the command's output (got \"{exec.Stdout}\")");
        var deviceLog = (await deployment.DeviceJson("status")).GetProperty("view").GetProperty("deviceLog").GetProperty("length").GetInt64();
        Say($"device: 'exec -- echo hello from the device' ran and is device log entry {deviceLog - 1} (its result {deviceLog})");
        await Until("the device's exec at the mirror", async () =>
            (await MirrorView()).GetProperty("deviceLog").GetProperty("length").GetInt64() >= deviceLog ? true : (bool?)null);
        Say($"mirror: holds the device log through entry {deviceLog}, the exec and its result included");

        // 3. A property set on each side shows on both.
        (await deployment.MirrorCli(["exec", "--device", device, "--", "set", "colour", "blue"])).EnsureSuccess("iotsync-mirror exec set");
        (await deployment.DeviceCli(["exec", "--", "set", "location", "lab-3"])).EnsureSuccess("iotsync-device exec set");
        Say("mirror: set colour=blue; device: set location=lab-3");
        await Until("both properties on both sides", async () =>
        {
            var onMirror = (await deployment.MirrorJson("state", "--device", device)).GetProperty("properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            var onDevice = Properties((await deployment.DeviceJson("status")).GetProperty("properties"));
            return HasBoth(onMirror) && HasBoth(onDevice) ? true : (bool?)null;
        });
        Say("both: colour=blue and location=lab-3 on the device and at the mirror");

        // 4. The two sides agree on everything: same logs, same state digest.
        var agreed = await Until("equal state digests", async () =>
        {
            var mirror = await MirrorView();
            var view = (await deployment.DeviceJson("status")).GetProperty("view");
            return mirror.GetRawText() == view.GetRawText() ? mirror : (JsonElement?)null;
        });
        Say($"both: same device log, same mirror log, same state digest {agreed.GetProperty("stateDigest").GetString()![..16]}…");

        // 5. The windows the device saw.
        var cycle = (await deployment.DeviceJson("status")).GetProperty("cycle");
        var windows = cycle.GetProperty("recent").EnumerateArray()
            .Select(w => (Duration: TimeSpan.FromMilliseconds(w.GetProperty("durationMs").GetDouble()), Outcome: w.GetProperty("outcome").GetString()!))
            .ToList();
        Expect(windows.Count > 0, "the device closed at least one window");
        var sorted = windows.Select(w => w.Duration.TotalMilliseconds).Order().ToList();
        var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        Say($"windows: {cycle.GetProperty("window").GetInt32()} opened; the last {windows.Count} (device's monotonic clock, interface up to down): " +
            $"median {median:0.0} ms, worst {sorted[^1]:0.0} ms; " +
            string.Join(", ", windows.GroupBy(w => w.Outcome).Select(g => $"{g.Count()} {g.Key}")));
        WindowMedianMs = median;
        WindowWorstMs = sorted[^1];
        WindowCount = windows.Count;
        output.WriteLine($"every step seen in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    public double WindowMedianMs { get; private set; }

    public double WindowWorstMs { get; private set; }

    public int WindowCount { get; private set; }

    private async Task<JsonElement> MirrorView() =>
        (await deployment.MirrorJson("state", "--device", deployment.DeviceId)).GetProperty("view");

    private static Dictionary<string, string> Properties(JsonElement list) =>
        list.EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("value").GetString()!);

    private static bool HasBoth(Dictionary<string, string> properties) =>
        properties.GetValueOrDefault("colour") == "blue" && properties.GetValueOrDefault("location") == "lab-3";

    private void Say(string line) => output.WriteLine($"  ✓ {line}");

    private static void Expect(bool condition, string what)
    {
        if (!condition)
            throw new StepFailed($"expected: {what}");
    }

    /// <summary>Polls <paramref name="probe"/> until it gives a value, within the step's deadline.</summary>
    private static async Task<T> Until<T>(string what, Func<Task<T?>> probe) where T : struct
    {
        try
        {
            return await Polling.Until(what, StepTimeout, probe);
        }
        catch (TimeoutException e)
        {
            throw new StepFailed(e.Message);
        }
    }
}
