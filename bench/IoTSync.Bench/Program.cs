using System.Globalization;

namespace IoTSync.Bench;

/// <summary>
/// <c>iotsync-bench journal [--results DIR] [--entries N] [--snapshot-every N] [--single N] [--batched N] [--runs N]</c>
/// and <c>iotsync-bench verify [--results DIR] [--entries N] [--snapshot-every N] [--runs N] [--keep DIR] [--mirror-exe DLL]</c>,
/// <c>iotsync-bench ssh [--results DIR] [--connects N]</c>, <c>iotsync-bench soak [--results DIR] [--minutes N] [--seed S] [--keep DIR]</c>, and <c>iotsync-bench sample --out DIR</c> (a small device.db and mirror.db written by the actors).
/// </summary>
public static class Program
{
    private const string Usage =
        "usage: iotsync-bench journal [--results DIR] [--entries N] [--snapshot-every N] [--single N] [--batched N] [--runs N]\n" +
        "       iotsync-bench recovery-check [--entries N] [--runs N]\n" +
        "       iotsync-bench verify [--results DIR] [--entries N] [--snapshot-every N] [--runs N] [--keep DIR] [--mirror-exe DLL]\n" +
        "       iotsync-bench windows [--results DIR] [--cycles N] [--commands K] [--period-ms N] [--window-limit-ms N] [--network ip|nft] [--mode direct|reverse]\n" +
        "       iotsync-bench ssh [--results DIR] [--connects N]\n" +
        "       iotsync-bench soak [--results DIR] [--minutes N] [--seed S] [--keep DIR]\n" +
        "       iotsync-bench api [--results DIR] [--devices N] [--seconds N] [--concurrency N]\n" +
        "       iotsync-bench sample --out DIR";

    public static async Task<int> Main(string[] args)
    {
        if (args is ["sample", "--out", var directory])
            return await new SampleJournals(Path.GetFullPath(directory)).Run();
        if (args.Length == 0 || args[0] is not ("journal" or "recovery-check" or "verify" or "windows" or "ssh" or "soak" or "api") || (args.Length - 1) % 2 != 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        try
        {
            if (args[0] == "ssh")
                return await new SshBench(SshOptions(args)).Run();
            if (args[0] == "api")
                return await new ApiBench(ApiOptions(args)).Run();
            if (args[0] == "soak")
                return await new SoakBench(SoakOptions(args)).Run();
            if (args[0] == "windows")
                return await new WindowsBench(WindowsOptions(args)).Run();
            var options = Options(args);
            if (args[0] == "recovery-check")
                return new JournalBench(options.Journal).RunCheckAlone();
            return args[0] == "journal"
                ? await new JournalBench(options.Journal).Run()
                : await new VerifyBench(options.Verify).Run();
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"iotsync-bench: {e.Message}");
            return 2;
        }
    }

    private static SshBenchOptions SshOptions(string[] args)
    {
        var options = new SshBenchOptions("bench/results", 20);
        for (var i = 1; i < args.Length; i += 2)
        {
            options = args[i] switch
            {
                "--results" => options with { ResultsDir = args[i + 1] },
                "--connects" => options with { Connects = Count(args[i + 1]) },
                _ => throw new ArgumentException($"unknown option {args[i]} for ssh"),
            };
        }
        return options;
    }

    private static ApiBenchOptions ApiOptions(string[] args)
    {
        var options = new ApiBenchOptions("bench/results", 1000, 10, 32);
        for (var i = 1; i < args.Length; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--results" => options with { ResultsDir = value },
                "--devices" => options with { Devices = Count(value) },
                "--seconds" => options with { Seconds = Count(value) },
                "--concurrency" => options with { Concurrency = Count(value) },
                _ => throw new ArgumentException($"unknown option {args[i]} for api"),
            };
        }
        return options;
    }

    private static SoakBenchOptions SoakOptions(string[] args)
    {
        var options = new SoakBenchOptions("bench/results", 5, null, null);
        for (var i = 1; i < args.Length; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--results" => options with { ResultsDir = value },
                "--minutes" => options with { Minutes = Count(value) },
                "--seed" => options with { Seed = int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed) ? seed : throw new ArgumentException($"--seed: '{value}' is not a whole number") },
                "--keep" => options with { KeepDir = Path.GetFullPath(value) },
                _ => throw new ArgumentException($"unknown option {args[i]} for soak"),
            };
        }
        return options;
    }

    private static (JournalBenchOptions Journal, VerifyBenchOptions Verify) Options(string[] args)
    {
        var journal = new JournalBenchOptions("bench/results", 100_000, 1000, 2_000, 20_000, 500, 5);
        var verify = new VerifyBenchOptions("bench/results", 100_000, 1000, 3, null, null);
        for (var i = 1; i < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--results": journal = journal with { ResultsDir = value }; verify = verify with { ResultsDir = value }; break;
                case "--entries": journal = journal with { Entries = Count(value) }; verify = verify with { Entries = Count(value) }; break;
                case "--snapshot-every": journal = journal with { SnapshotEvery = Count(value) }; verify = verify with { SnapshotEvery = Count(value) }; break;
                case "--runs": journal = journal with { RecoveryRuns = Count(value) }; verify = verify with { Runs = Count(value) }; break;
                case "--single" when args[0] == "journal": journal = journal with { SingleAppends = Count(value) }; break;
                case "--batched" when args[0] == "journal": journal = journal with { BatchedAppends = Count(value) }; break;
                case "--keep" when args[0] == "verify": verify = verify with { KeepDir = Path.GetFullPath(value) }; break;
                case "--mirror-exe" when args[0] == "verify": verify = verify with { MirrorExe = Path.GetFullPath(value) }; break;
                default: throw new ArgumentException($"unknown option {args[i]} for {args[0]}");
            }
        }
        return (journal, verify);
    }

    private static WindowsBenchOptions WindowsOptions(string[] args)
    {
        var options = new WindowsBenchOptions("bench/results", 20, 10, TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(1200));
        for (var i = 1; i < args.Length; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--results" => options with { ResultsDir = value },
                "--cycles" => options with { Cycles = Count(value) },
                "--commands" => options with { Commands = Count(value) },
                "--period-ms" => options with { Period = TimeSpan.FromMilliseconds(Count(value)) },
                "--window-limit-ms" => options with { WindowLimit = TimeSpan.FromMilliseconds(Count(value)) },
                "--network" => value is "ip" or "nft" ? options with { Network = value } : throw new ArgumentException($"--network: '{value}' is not ip or nft"),
                "--mode" => value is "direct" or "reverse" ? options with { Mode = value } : throw new ArgumentException($"--mode: '{value}' is not direct or reverse"),
                _ => throw new ArgumentException($"unknown option {args[i]} for windows"),
            };
        }
        // Behind the bed's router the device's link keeps its default route only in nft mode (ip takes the link down, and the route with it).
        if (options.Mode == "reverse" && options.Network == "ip")
            options = options with { Network = "nft" };
        return options.WindowLimit < options.Period ? options : throw new ArgumentException("the window limit must be shorter than the period");
    }

    private static int Count(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0
            ? count
            : throw new ArgumentException($"'{value}' is not a positive whole number");
}
