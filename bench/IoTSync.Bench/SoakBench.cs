using System.Globalization;
using System.Text.Json;
using IoTSync.Testing.Soak;

namespace IoTSync.Bench;

/// <summary>How <c>iotsync-bench soak</c> runs: minutes of faults, the seed (drawn from the clock when not given), where the JSON goes, and whether to keep the files.</summary>
public sealed record SoakBenchOptions(string ResultsDir, int Minutes, int? Seed, string? KeepDir);

/// <summary>
/// <c>./iotsync soak</c>: the nemesis soak (<see cref="SoakEngine"/>) for N minutes, its counts printed
/// and written as JSON under bench/results/; exit 1 when a check failed (the seed printed reproduces it).
/// </summary>
public sealed class SoakBench(SoakBenchOptions options)
{
    public async Task<int> Run()
    {
        if (SoakEngine.Unavailable() is { } why)
        {
            Console.Error.WriteLine($"iotsync-bench: the soak cannot run here: {why}");
            return 2;
        }
        var seed = options.Seed ?? (int)(DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 1_000_000);
        var report = await SoakEngine.Run(new SoakOptions(TimeSpan.FromMinutes(options.Minutes), seed, Console.WriteLine)
        {
            Directory = options.KeepDir, Keep = options.KeepDir is not null,
        });
        Directory.CreateDirectory(options.ResultsDir);
        var file = Path.Combine(options.ResultsDir, $"soak-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"written {file}");
        return report.Passed ? 0 : 1;
    }
}
