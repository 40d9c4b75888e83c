using System.Globalization;

namespace IoTSync.Bench;

/// <summary><c>iotsync-bench journal [--results DIR] [--entries N] [--snapshot-every N] [--single N] [--batched N] [--runs N]</c>.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] != "journal")
        {
            Console.Error.WriteLine("usage: iotsync-bench journal [--results DIR] [--entries N] [--snapshot-every N] [--single N] [--batched N] [--runs N]");
            return 2;
        }
        var options = new JournalBenchOptions("bench/results", 100_000, 1000, 2_000, 20_000, 500, 5);
        for (var i = 1; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length)
            {
                Console.Error.WriteLine($"iotsync-bench: {args[i]} needs a value");
                return 2;
            }
            var value = args[i + 1];
            options = args[i] switch
            {
                "--results" => options with { ResultsDir = value },
                "--entries" => options with { Entries = Count(value) },
                "--snapshot-every" => options with { SnapshotEvery = Count(value) },
                "--single" => options with { SingleAppends = Count(value) },
                "--batched" => options with { BatchedAppends = Count(value) },
                "--runs" => options with { RecoveryRuns = Count(value) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return await new JournalBench(options).Run();
    }

    private static int Count(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0
            ? count
            : throw new ArgumentException($"'{value}' is not a positive whole number");
}
