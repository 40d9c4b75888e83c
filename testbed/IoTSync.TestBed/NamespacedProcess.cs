using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace IoTSync.TestBed;

/// <summary>
/// A process started inside a network namespace (<c>setsid ip netns exec NS FILE ARGS…</c>, no
/// shell): its own session and process group, stdout and stderr captured, stdin closed. Killing it
/// sends SIGKILL to its process tree and its process group; disposing kills it.
/// </summary>
public sealed class NamespacedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _errors = new();
    private readonly bool _ownGroup;
    private int? _exitCodeAfterDispose;

    private NamespacedProcess(string ns, Process process, bool ownGroup)
    {
        Namespace = ns;
        _process = process;
        _ownGroup = ownGroup;
    }

    public string Namespace { get; }

    /// <summary>The process id; <c>ip netns exec</c> and <c>setsid</c> exec in turn, so this is the program itself.</summary>
    public int Id => _process.Id;

    /// <summary>Its stdout so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>Its stderr so far.</summary>
    public string Errors
    {
        get
        {
            lock (_errors)
                return _errors.ToString();
        }
    }

    public bool HasExited => _exitCodeAfterDispose is not null || _process.HasExited;

    /// <summary>The exit code (137 after SIGKILL: <c>ip netns exec</c> and <c>setsid</c> are the program).</summary>
    public int ExitCode => _exitCodeAfterDispose ?? _process.ExitCode;

    /// <summary>Starts <paramref name="fileName"/> inside <paramref name="ns"/> with extra environment variables.</summary>
    public static NamespacedProcess Start(string ns, string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var ip = Tool.Ip ?? throw new InvalidOperationException("ip not found (./iotsync test installs iproute2)");
        // setsid execs without forking (a child of ours is no group leader), so the program leads a
        // process group of its own that a kill reaches whole, reparented grandchildren included.
        List<string> argv = [.. Tool.Setsid is { } setsid ? [setsid] : Array.Empty<string>(), ip, "netns", "exec", ns, fileName, .. arguments];
        var start = new ProcessStartInfo(argv[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in argv.Skip(1))
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        var process = new Process { StartInfo = start };
        var handle = new NamespacedProcess(ns, process, Tool.Setsid is not null);
        process.OutputDataReceived += (_, e) => Append(handle._output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(handle._errors, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return handle;
    }

    /// <summary>Waits, bounded, for its exit and returns the exit code.</summary>
    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"process {Id} in {Namespace} did not exit within {timeout}; stderr:\n{Errors}");
        }
        return _process.ExitCode;
    }

    /// <summary>Waits, bounded, until stdout or stderr holds a line matching <paramref name="pattern"/>.</summary>
    public async Task<Match> WaitForOutput(Regex pattern, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var match = pattern.Match(Output + Errors);
            if (match.Success)
                return match;
            if (deadline.Elapsed > timeout)
                throw new TimeoutException($"process {Id} in {Namespace} never wrote /{pattern}/ within {timeout}; stdout:\n{Output}\nstderr:\n{Errors}");
            await Task.Delay(20);
        }
    }

    /// <summary>SIGKILL to the process tree and to the process group.</summary>
    public void Kill()
    {
        Tool.KillQuietly(_process);
        if (_ownGroup)
            _ = Native.kill(-Id, Native.SigKill);
    }

    public async ValueTask DisposeAsync()
    {
        if (_exitCodeAfterDispose is not null)
            return;
        Kill();
        try
        {
            _exitCodeAfterDispose = await WaitForExit(TimeSpan.FromSeconds(10));
            _process.Dispose();
        }
        catch (TimeoutException)
        {
            // SIGKILL was sent; the namespace's teardown kills whatever is left in it.
        }
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
            return;
        lock (buffer)
            buffer.AppendLine(line);
    }
}
