using System.Collections.Immutable;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace IoTSync.Processes;

/// <summary>
/// The node's side of <c>iotsync-command-runner</c>: starts the runner for one command and reads
/// the <see cref="SpoolRecord"/> it leaves, and after a restart finds the record of a command the
/// node started before — waiting for a runner that is still running it, up to its limit.
/// </summary>
internal static class SpooledCommand
{
    /// <summary>Past the command's own limit, how long the node gives a runner to write its record before killing its group.</summary>
    public static readonly TimeSpan RunnerGrace = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Removes a command's records (before it starts, and once its result is in the journal).</summary>
    public static void Forget(string spool, string name)
    {
        if (!System.IO.Directory.Exists(spool))
            return;
        foreach (var file in new[] { SpoolRecord.ResultFile(spool, name), SpoolRecord.RunnerFile(spool, name) })
        {
            File.Delete(file);
            File.Delete(file + ".tmp");
        }
    }

    /// <summary>
    /// Runs <paramref name="argv"/> through the runner and returns its record, or why there is none.
    /// Cancellation stops the runner (SIGTERM: it records the command cancelled and kills its group).
    /// </summary>
    public static async Task<(SpoolRecord? Record, string Problem)> Run(ImmutableArray<string> runner, string spool, string name,
        ImmutableArray<string> argv, ChildProcessLimits limits, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
            System.IO.Directory.CreateDirectory(spool);
        else
            System.IO.Directory.CreateDirectory(spool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Forget(spool, name);
        var start = new ProcessStartInfo(runner[0])
        {
            UseShellExecute = false,
            // Never the node's own streams: the runner outlives the node, and a test reading the node's
            // output must not wait on a runner holding it open.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in runner.Skip(1).Concat(["--spool", spool, "--name", name,
                     "--timeout-ms", ((long)limits.Timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                     "--output-cap", limits.OutputCapBytes.ToString(CultureInfo.InvariantCulture), "--"]).Concat(argv))
            start.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return (null, $"could not start the command runner '{runner[0]}': {e.Message}");
        }
        process.StandardInput.Close();
        var errors = new CappedOutput(4096);
        var drained = Task.WhenAll(errors.Drain(process.StandardOutput.BaseStream), errors.Drain(process.StandardError.BaseStream));

        using var backstop = new CancellationTokenSource(limits.Timeout + RunnerGrace);
        using var cancelled = cancellationToken.Register(() => Signal(process.Id, 15));
        try
        {
            await process.WaitForExitAsync(backstop.Token);
        }
        catch (OperationCanceledException)
        {
            Signal(-process.Id, 9);
            await process.WaitForExitAsync(CancellationToken.None);
            return (SpoolRecord.Read(SpoolRecord.ResultFile(spool, name)), $"the command runner did not finish within {(limits.Timeout + RunnerGrace).TotalSeconds:0.###} s; killed");
        }
        await drained.WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        return (SpoolRecord.Read(SpoolRecord.ResultFile(spool, name)),
            $"the command runner ended without a record (exit {process.ExitCode}){(errors.Text.Length > 0 ? ": " + errors.Text.Trim() : "")}");
    }

    /// <summary>
    /// The record of a command started before the node restarted: at once when it is there; when its
    /// runner is still running, once the runner writes it (the runner enforces the command's limit, so
    /// this waits at most that long, plus <see cref="RunnerGrace"/>); null when no runner left one and none is running.
    /// </summary>
    public static async Task<SpoolRecord?> AwaitRecord(string spool, string name, Func<long> nowUnixMs, CancellationToken cancellationToken)
    {
        var resultFile = SpoolRecord.ResultFile(spool, name);
        while (true)
        {
            if (SpoolRecord.Read(resultFile) is { } record)
                return record;
            if (SpoolRecord.ReadRunner(SpoolRecord.RunnerFile(spool, name)) is not var (pid, startedMs, limitMs) || !IsRunner(pid, name))
                // It may have written its record and exited since the first look.
                return SpoolRecord.Read(resultFile);
            if (nowUnixMs() > startedMs + limitMs + (long)RunnerGrace.TotalMilliseconds)
            {
                Signal(-pid, 9);
                return SpoolRecord.Read(resultFile);
            }
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>Alive (not a zombie: the runner's parent died and whoever adopted it may not reap it) and running this command.</summary>
    private static bool IsRunner(int pid, string name)
    {
        try
        {
            if (!LiveProcess.IsAlive(pid))
                return false;
            var arguments = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            var at = Array.IndexOf(arguments, "--name");
            return arguments.Any(a => a.Contains(Device.CommandSpool.RunnerName, StringComparison.Ordinal)) && at >= 0 && at + 1 < arguments.Length && arguments[at + 1] == name;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void Signal(int pid, int signal)
    {
        if (OperatingSystem.IsLinux())
            _ = Kill(pid, signal);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
