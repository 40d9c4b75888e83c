using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace IoTSync.Testing.Rig;

/// <summary>
/// A long-running child process (a node, sshd): its output kept in memory and appended to a log
/// file, waited on by pattern with a deadline, stopped with SIGTERM or killed with SIGKILL.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _errors = new();
    private readonly StreamWriter? _log;
    private readonly bool _ownGroup;
    private int? _exitCodeAfterDispose;

    private NodeProcess(Process process, string? logFile, bool ownGroup)
    {
        _process = process;
        _ownGroup = ownGroup;
        if (logFile is not null)
            _log = new StreamWriter(new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            Append(e.Data);
            if (e.Data is not null)
                lock (_errors)
                    _errors.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _exitCodeAfterDispose is not null || _process.HasExited;

    /// <summary>The exit code (137 after SIGKILL when the launcher execs the program).</summary>
    public int ExitCode => _exitCodeAfterDispose ?? _process.ExitCode;

    /// <summary>Everything the process printed so far (stdout and stderr interleaved).</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>What it wrote to stderr so far.</summary>
    public string Errors
    {
        get
        {
            lock (_errors)
                return _errors.ToString();
        }
    }

    /// <summary>Starts <paramref name="fileName"/>, through <paramref name="launcher"/> when given (inside a network namespace, say).</summary>
    public static NodeProcess Start(string fileName, IEnumerable<string> arguments, string? logFile = null,
        IReadOnlyDictionary<string, string>? environment = null, Launcher? launcher = null)
    {
        launcher ??= Launcher.Direct;
        var (wrappedFile, wrappedArguments) = launcher.Wrap(fileName, arguments);
        return new NodeProcess(Launch(wrappedFile, wrappedArguments, environment), logFile, launcher.OwnProcessGroup);
    }

    /// <summary>Starts a program with an argument vector (no shell), its three streams redirected.</summary>
    private static Process Launch(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
    }

    /// <summary>Waits, bounded, for a line matching <paramref name="pattern"/> (searching everything printed so far).</summary>
    public async Task<Match> WaitForOutput(Regex pattern, TimeSpan timeout, int occurrence = 1)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var matches = pattern.Matches(Output);
            if (matches.Count >= occurrence)
                return matches[occurrence - 1];
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                if (pattern.Matches(Output) is { } last && last.Count >= occurrence)
                    return last[occurrence - 1];
                throw new InvalidOperationException($"the process exited ({_process.ExitCode}) before printing /{pattern}/:\n{Tail()}");
            }
            if (deadline.Elapsed > timeout)
                throw new TimeoutException($"no /{pattern}/ within {timeout.TotalSeconds:0} s:\n{Tail()}");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits, bounded, for its exit and returns the exit code.</summary>
    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        if (_exitCodeAfterDispose is { } exited)
            return exited;
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"process {Id} did not exit within {timeout}:\n{Tail()}");
        }
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, then up to <paramref name="grace"/> for it to end; SIGKILL after that.</summary>
    public async Task Stop(TimeSpan grace)
    {
        if (_process.HasExited)
            return;
        Signal(15);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    /// <summary>SIGKILL: no clean-up, no flush, as a crash or power loss leaves it.</summary>
    public void Kill()
    {
        if (HasExited)
            return;
        _process.Kill(entireProcessTree: true);
        // Children it left behind (sshd's sessions, say) stay in its group when it leads one.
        if (_ownGroup)
            Signal(9, group: true);
        _process.WaitForExit(TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// SIGKILL to the node alone, as the kernel's OOM killer or a crash leaves it: processes it started
    /// in sessions of their own (the runners of device commands) live on. <see cref="Kill"/> takes its whole tree.
    /// </summary>
    public void Crash()
    {
        if (HasExited)
            return;
        Signal(9);
        _process.WaitForExit(TimeSpan.FromSeconds(10));
    }

    /// <summary>SIGSTOP: the process freezes where it is (a hung node), until <see cref="Resume"/>.</summary>
    public void Pause() => Signal(19);

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume() => Signal(18);

    private void Signal(int signal, bool group = false)
    {
        var target = (group ? "-" : "") + _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", "--", target]) { UseShellExecute = false, RedirectStandardError = true });
        kill?.WaitForExit(TimeSpan.FromSeconds(5));
    }

    public string Tail(int lines = 30) => string.Join('\n', Output.Split('\n').TakeLast(lines));

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
        try
        {
            _log?.WriteLine(line);
        }
        catch (ObjectDisposedException)
        {
            // The log closed while the last lines drained.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_exitCodeAfterDispose is not null)
            return;
        Kill();
        if (_process.HasExited)
            _exitCodeAfterDispose = _process.ExitCode;
        _process.Dispose();
        if (_log is not null)
            await _log.DisposeAsync();
    }
}
