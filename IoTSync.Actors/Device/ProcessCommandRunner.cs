using System.Collections.Immutable;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using IoTSync.Journal;

namespace IoTSync.Device;

/// <summary>
/// Runs a device command as a real process from its argument vector — never through a shell —
/// under a <see cref="CommandPolicy"/>: programs outside the allow-list are refused, a command
/// past its timeout is killed with its children, and output beyond the cap is dropped (and the
/// result says it was truncated). Standard output and error are kept in the order they arrived.
/// </summary>
public sealed class ProcessCommandRunner(CommandPolicy policy) : ICommandRunner
{
    public async Task<ResultFields> Run(ImmutableArray<string> argv, CancellationToken cancellationToken)
    {
        if (argv.IsDefaultOrEmpty)
            return new ResultFields(CommandOutcome.Refused, -1, "empty command", false, 0);
        if (!policy.Allows(argv[0]))
            return new ResultFields(CommandOutcome.Refused, -1, $"'{argv[0]}' is not in the device's allow-list", false, 0);

        var start = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in argv.Skip(1))
            start.ArgumentList.Add(argument);

        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return new ResultFields(CommandOutcome.Failed, 127, $"could not start '{argv[0]}': {e.Message}", false, clock.ElapsedMilliseconds);
        }
        process.StandardInput.Close();
        var output = new CappedOutput(policy.OutputCapBytes);
        var readers = Task.WhenAll(
            output.Drain(process.StandardOutput.BaseStream),
            output.Drain(process.StandardError.BaseStream));

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(policy.Timeout);
        string? killedBecause = null;
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            await readers.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            killedBecause = cancellationToken.IsCancellationRequested ? "cancelled" : $"timed out after {policy.Timeout.TotalSeconds:0.###} s";
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
        if (killedBecause is not null)
            return new ResultFields(CommandOutcome.Failed, -1, output.Text + $"[{killedBecause}; killed]", output.Truncated, clock.ElapsedMilliseconds);
        var exitCode = process.ExitCode;
        return new ResultFields(exitCode == 0 ? CommandOutcome.Executed : CommandOutcome.Failed, exitCode, output.Text, output.Truncated,
            clock.ElapsedMilliseconds);
    }

    /// <summary>
    /// The first bytes of a process's output up to a cap, in arrival order; the rest is read and
    /// dropped so the process never blocks on a full pipe.
    /// </summary>
    private sealed class CappedOutput(int capBytes)
    {
        private readonly MemoryStream _kept = new();

        public bool Truncated { get; private set; }

        /// <summary>The kept bytes as UTF-8; a sequence cut by the cap becomes a replacement character.</summary>
        public string Text
        {
            get
            {
                lock (_kept)
                    return Encoding.UTF8.GetString(_kept.GetBuffer(), 0, (int)_kept.Length);
            }
        }

        public async Task Drain(Stream stream)
        {
            var buffer = new byte[8192];
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                lock (_kept)
                {
                    var room = (int)Math.Max(0, capBytes - _kept.Length);
                    _kept.Write(buffer, 0, Math.Min(room, read));
                    if (read > room)
                        Truncated = true;
                }
            }
        }
    }
}
