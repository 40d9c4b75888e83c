using System.Diagnostics;

namespace IoTSync.TestBed;

/// <summary>What a command run to its end left behind.</summary>
public sealed record ExecResult(IReadOnlyList<string> Command, int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>This result, or an exception naming the command, its exit code and its stderr.</summary>
    public ExecResult EnsureSuccess() => Succeeded
        ? this
        : throw new InvalidOperationException($"'{string.Join(' ', Command)}' exited {ExitCode}: {Error.Trim()}{(Error.Trim().Length == 0 ? Output.Trim() : "")}");
}

/// <summary>Runs the test bed's tools: argument vectors, no shell, bounded time.</summary>
public static class Tool
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static string? Ip { get; } = Find("ip");

    public static string? Setsid { get; } = Find("setsid");

    /// <summary>
    /// Runs <paramref name="argv"/> to its end, killing its process tree and throwing
    /// <see cref="TimeoutException"/> when it outlives <paramref name="timeout"/>.
    /// </summary>
    public static async Task<ExecResult> Run(IReadOnlyList<string> argv, TimeSpan? timeout = null, string? input = null,
        CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultTimeout;
        var start = new ProcessStartInfo(argv[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in argv.Skip(1))
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {argv[0]}");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            if (input is not null)
                await process.StandardInput.WriteAsync(input).ConfigureAwait(false);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // It exited without reading its input; its exit code says why.
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillQuietly(process);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"'{string.Join(' ', argv)}' did not finish within {limit}");
        }
        return new ExecResult(argv, process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }

    public static void KillQuietly(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>A tool on PATH or in the sbin directories (a non-root PATH often lacks them).</summary>
    public static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"])
            .Select(directory => Path.Combine(directory, tool))
            .FirstOrDefault(File.Exists);
}
