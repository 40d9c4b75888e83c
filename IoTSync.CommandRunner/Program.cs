using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using IoTSync.Processes;

namespace IoTSync.CommandRunner;

/// <summary>
/// <c>iotsync-command-runner --spool DIR --name NAME --timeout-ms N --output-cap N -- PROGRAM [ARG...]</c>:
/// what the device node starts for each device command. It leaves the node's session (a node that
/// dies does not take the command with it), runs the argument vector without a shell, keeps its
/// output up to the cap, enforces the timeout itself (a frozen node cannot stretch or shorten it)
/// and writes the outcome durably to <c>DIR/NAME.result</c> (<see cref="SpoolRecord"/>) before it
/// exits. A command past its timeout, or a runner told to stop (SIGTERM), is killed with its whole
/// process group — the runner's own session — after the record is written.
/// </summary>
public static class Program
{
    public const string Name = "iotsync-command-runner";

    public static int Main(string[] args)
    {
        if (!TryParse(args, out var options))
        {
            Console.Error.WriteLine($"usage: {Name} --spool DIR --name NAME --timeout-ms N --output-cap N -- PROGRAM [ARG...]");
            return 2;
        }
        // Its own session and process group: the node's death or a signal to the node's group leaves
        // it running, and kill(-pid) reaches every process the command started.
        var leader = OperatingSystem.IsLinux() && (Native.Setsid() > 0 || Native.Getpgrp() == Environment.ProcessId);
        SpoolRecord record;
        try
        {
            record = Run(options, leader);
            record.WriteDurably(options.Spool, options.Name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The node records the command failed with this line (a full disk, say).
            Console.Error.WriteLine($"{Name}: cannot write to the spool {options.Spool}: {e.Message}");
            if (leader)
                Native.Kill(-Environment.ProcessId, 9);
            return 3;
        }
        if (record.Ending is SpoolRecord.TimedOut or SpoolRecord.Cancelled && leader)
            // Whatever the command left in the group goes with the runner; the record is already written.
            Native.Kill(-Environment.ProcessId, 9);
        return 0;
    }

    private static SpoolRecord Run(Options options, bool leader)
    {
        var limitMs = options.TimeoutMs;
        // Before the command starts: a node that restarts from now on finds a live runner to wait for.
        // Not flushed to disk: a power loss ends the runner too, and then the line says nothing.
        SpoolRecord.WriteDurably(SpoolRecord.RunnerFile(options.Spool, options.Name),
            System.Text.Encoding.ASCII.GetBytes(SpoolRecord.RunnerLine(Environment.ProcessId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), limitMs)), durable: false);
        using var process = new Process { StartInfo = ChildStartInfo.For(options.Argv) };
        var clock = Stopwatch.StartNew();
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return new SpoolRecord(SpoolRecord.NotStarted, 127, $"could not start '{options.Argv[0]}': {e.Message}", false, clock.ElapsedMilliseconds, limitMs);
        }
        process.StandardInput.Close();
        var output = new CappedOutput(options.OutputCap);
        var readers = Task.WhenAll(output.Drain(process.StandardOutput.BaseStream), output.Drain(process.StandardError.BaseStream));

        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        deadline.CancelAfter(TimeSpan.FromMilliseconds(limitMs));
        try
        {
            process.WaitForExitAsync(deadline.Token).GetAwaiter().GetResult();
            readers.WaitAsync(deadline.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            var duration = clock.ElapsedMilliseconds;
            if (!leader)
                process.Kill(entireProcessTree: true);
            return new SpoolRecord(stop.IsCancellationRequested ? SpoolRecord.Cancelled : SpoolRecord.TimedOut, -1, output.Text, output.Truncated, duration, limitMs);
        }
        return new SpoolRecord(SpoolRecord.Exited, process.ExitCode, output.Text, output.Truncated, clock.ElapsedMilliseconds, limitMs);
    }

    public sealed record Options(string Spool, string Name, long TimeoutMs, int OutputCap, IReadOnlyList<string> Argv);

    public static bool TryParse(string[] args, out Options options)
    {
        options = new Options("", "", 0, 0, []);
        var separator = Array.IndexOf(args, "--");
        if (separator < 0 || separator % 2 != 0 || separator == args.Length - 1)
            return false;
        var (spool, name, timeoutMs, outputCap) = ("", "", 0L, 0);
        for (var i = 0; i < separator; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--spool":
                    spool = value;
                    break;
                case "--name" when value.Length > 0 && value.All(char.IsAsciiLetterOrDigit):
                    name = value;
                    break;
                case "--timeout-ms" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0:
                    timeoutMs = ms;
                    break;
                case "--output-cap" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var cap):
                    outputCap = cap;
                    break;
                default:
                    return false;
            }
        }
        if (spool.Length == 0 || name.Length == 0 || timeoutMs == 0)
            return false;
        options = new Options(spool, name, timeoutMs, outputCap, args[(separator + 1)..]);
        return true;
    }

    private static class Native
    {
        [DllImport("libc", EntryPoint = "setsid", SetLastError = true)]
        public static extern int Setsid();

        [DllImport("libc", EntryPoint = "getpgrp")]
        public static extern int Getpgrp();

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);
    }
}
