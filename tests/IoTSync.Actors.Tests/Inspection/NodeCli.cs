using System.Diagnostics;
using System.Security.Cryptography;
using Xunit;

namespace IoTSync.Tests.Inspection;

/// <summary>What one run of a node executable printed, and how it exited.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the real built executables (<c>iotsync-mirror.dll</c>, <c>iotsync-device.dll</c>) as child
/// processes, found beside the solution in the configuration this test assembly was built in. A run
/// that outlives its deadline is killed with its process tree.
/// </summary>
public static class NodeCli
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    public static string Mirror { get; } = Executable("IoTSync.MirrorNode", "iotsync-mirror.dll");

    public static string Device { get; } = Executable("IoTSync.DeviceNode", "iotsync-device.dll");

    public static Task<CliRun> RunMirror(params string[] args) => Run(Mirror, args);

    public static Task<CliRun> RunDevice(params string[] args) => Run(Device, args);

    public static async Task<CliRun> Run(string dll, IEnumerable<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        // The node's own overrides would point the tool elsewhere than the test says.
        foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("IOTSYNC_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(variable);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(dll)} {string.Join(' ', args)} did not finish in time");
        }
        return new CliRun(process.ExitCode, await stdout, await stderr);
    }

    public static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static string Executable(string project, string dll)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "IoTSync.sln")))
            directory = directory.Parent;
        Assert.True(directory is not null, $"no IoTSync.sln above {AppContext.BaseDirectory}");
        // This assembly sits in tests/<project>/bin/<Configuration>/<tfm>/: the executables are built alongside.
        var testBin = new DirectoryInfo(AppContext.BaseDirectory);
        var (framework, configuration) = (testBin.Name, testBin.Parent!.Name);
        var path = Path.Combine(directory!.FullName, project, "bin", configuration, framework, dll);
        Assert.True(File.Exists(path), $"{path} is not built (the test project builds it first)");
        return path;
    }
}

/// <summary>Runs the sqlite3 command-line tool, as someone tampering with a copy of a journal would.</summary>
public static class Sqlite3
{
    public static string Run(string database, string sql, bool readOnly = false)
    {
        var start = new ProcessStartInfo("sqlite3") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (readOnly)
            start.ArgumentList.Add("-readonly");
        start.ArgumentList.Add(database);
        start.ArgumentList.Add(sql);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start sqlite3");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("sqlite3 did not finish");
        }
        Assert.True(process.ExitCode == 0, $"sqlite3 failed on {sql}: {error.Result}");
        return output.Result.Trim();
    }
}
