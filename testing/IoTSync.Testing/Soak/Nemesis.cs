using System.Diagnostics;
using System.Globalization;
using IoTSync.Testing.Rig;

namespace IoTSync.Testing.Soak;

/// <summary>
/// Injects one fault at a time, at moments and of kinds drawn from <see cref="Random"/> with the run's
/// seed (so a seed gives the same schedule): a node SIGKILLed and restarted, a node frozen and thawed,
/// the device's database disk filled and freed, the device's sync relay killed mid-session. Every
/// fault is undone before the next and when the nemesis stops.
/// </summary>
public sealed class Nemesis(Deployment deployment, SmallDisk deviceDisk, SoakOptions options)
{
    private readonly Random _random = new(options.Seed);
    private readonly Dictionary<NemesisAct, int> _counts = Enum.GetValues<NemesisAct>().ToDictionary(a => a, _ => 0);
    private readonly List<string> _schedule = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>How often each fault was injected.</summary>
    public IReadOnlyDictionary<NemesisAct, int> Counts => _counts;

    /// <summary>Cut attempts that found no session running before their deadline (the window came and went quietly).</summary>
    public int CutsMissed { get; private set; }

    /// <summary>Each fault with its second in the run, for the report.</summary>
    public IReadOnlyList<string> Schedule => _schedule;

    /// <summary>Faults until <paramref name="stop"/>; returns with both nodes running, thawed, and the disk free.</summary>
    public async Task Run(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var calm = Between(options.MinCalm, options.MaxCalm);
            var act = (NemesisAct)_random.Next(Enum.GetValues<NemesisAct>().Length);
            var hold = Between(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
            try
            {
                await Task.Delay(calm, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await Inject(act, hold);
        }
    }

    private async Task Inject(NemesisAct act, TimeSpan hold)
    {
        var at = _clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        _counts[act]++;
        string detail;
        switch (act)
        {
            case NemesisAct.CrashMirror:
                deployment.Mirror!.Crash();
                await Task.Delay(hold / 4);
                await deployment.Mirror.DisposeAsync();
                await deployment.StartMirror();
                detail = $"restarted after {(hold / 4).TotalMilliseconds:0} ms";
                break;
            case NemesisAct.CrashDevice:
                deployment.Device!.Crash();
                await Task.Delay(hold / 4);
                await deployment.Device.DisposeAsync();
                await deployment.StartDevice();
                detail = $"restarted after {(hold / 4).TotalMilliseconds:0} ms";
                break;
            case NemesisAct.FreezeMirror:
                await Frozen(deployment.Mirror!, hold);
                detail = $"for {hold.TotalMilliseconds:0} ms";
                break;
            case NemesisAct.FreezeDevice:
                await Frozen(deployment.Device!, hold);
                detail = $"for {hold.TotalMilliseconds:0} ms";
                break;
            case NemesisAct.FillDisk:
                var filled = deviceDisk.Fill();
                try
                {
                    await Task.Delay(hold);
                }
                finally
                {
                    deviceDisk.Free();
                }
                detail = $"{filled / 1024} KiB for {hold.TotalMilliseconds:0} ms";
                break;
            case NemesisAct.CutSession:
                var cut = await CutSession(hold);
                if (cut is null)
                    CutsMissed++;
                detail = cut is null ? "no session seen" : $"relay {cut} killed";
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(act), act, null);
        }
        var line = $"{at}s {act} {detail}";
        _schedule.Add(line);
        options.Log($"nemesis: {line}");
    }

    private static async Task Frozen(NodeProcess node, TimeSpan hold)
    {
        node.Pause();
        try
        {
            await Task.Delay(hold);
        }
        finally
        {
            node.Resume();
        }
    }

    /// <summary>
    /// Waits, up to a few cycles, for the forced command sshd started for the mirror's session (its
    /// command line names the device's socket), then SIGKILLs it a moment into the session.
    /// </summary>
    private async Task<int?> CutSession(TimeSpan hold)
    {
        var into = TimeSpan.FromMilliseconds(_random.Next(0, 40));
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < options.Period * 3 + hold)
        {
            if (Relay() is { } pid)
            {
                await Task.Delay(into);
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill();
                    return pid;
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // The session ended first: wait for the next one.
                }
            }
            await Task.Delay(5);
        }
        return null;
    }

    /// <summary>A running relay for this deployment's device socket, from /proc.</summary>
    private int? Relay()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
                continue;
            string[] argv;
            try
            {
                argv = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            // The account's shell that sshd runs the forced command with may not exec it: killing the shell would cut nothing.
            if (Path.GetFileName(argv[0]) is "sh" or "bash" or "dash")
                continue;
            var commandLine = string.Join(' ', argv);
            if (commandLine.Contains(deployment.DeviceSocket, StringComparison.Ordinal)
                && (commandLine.Contains("iotsync-sync-relay", StringComparison.Ordinal) || commandLine.Contains("sync-endpoint", StringComparison.Ordinal)))
                return pid;
        }
        return null;
    }

    private TimeSpan Between(TimeSpan least, TimeSpan most) =>
        TimeSpan.FromMilliseconds(_random.Next((int)least.TotalMilliseconds, (int)most.TotalMilliseconds + 1));
}
