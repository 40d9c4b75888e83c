using System.Globalization;
using System.Text.RegularExpressions;
using IoTSync.Testing.Processes;
using IoTSync.Testing.Rig;

namespace IoTSync.TestBed;

/// <summary>
/// A machine of its own inside one of the bed's network namespaces, for following an installation
/// guide literally: a mount namespace in which <c>/etc</c>, <c>/opt</c>, <c>/usr/local</c>,
/// <c>/var/lib</c>, <c>/var/log</c> and <c>/home</c> are overlays over this host's (what the machine
/// writes there — accounts, configuration, installed files — exists only on it and goes with it) and
/// <c>/run</c> is its own. systemd is not PID 1 here: the machine's <c>/usr/local/sbin/systemctl</c>
/// and <c>journalctl</c> (Machine/ beside this file) stand in for it, running each installed unit's
/// ExecStart as its account with its capabilities, and the machine's own sshd for the ssh unit.
/// </summary>
public sealed partial class EmulatedMachine : IAsyncDisposable
{
    private static readonly string[] Overlaid = ["/etc", "/opt", "/usr/local", "/var/lib", "/var/log", "/home"];
    private static readonly TimeSpan Started = TimeSpan.FromSeconds(30);

    private readonly NodeProcess _holder;
    private readonly string _scratch;
    private int _disposed;

    private EmulatedMachine(string name, string ns, string scratch, NodeProcess holder, int pid)
    {
        (Name, Namespace, _scratch, _holder, Pid) = (name, ns, scratch, holder, pid);
        Home = Path.Combine(scratch, "home");
    }

    /// <summary>What the machine is called in the test's messages ("mirror", "device").</summary>
    public string Name { get; }

    /// <summary>The bed's network namespace it lives in.</summary>
    public string Namespace { get; }

    /// <summary>The process holding its namespaces (a <c>sleep</c>); <c>/proc/PID/root</c> is its file system.</summary>
    public int Pid { get; }

    /// <summary>The directory its commands start in (the operator's home on it), outside the overlays.</summary>
    public string Home { get; }

    /// <summary>Starts a machine in <paramref name="ns"/>; <see cref="DisposeAsync"/> stops what its systemctl started and removes it.</summary>
    public static async Task<EmulatedMachine> Start(string name, string ns)
    {
        var scratch = Directory.CreateTempSubdirectory($"iotsync-machine-{name}-").FullName;
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(scratch, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Path.Combine(scratch, "home"));
        var tools = Path.Combine(AppContext.BaseDirectory, "Machine");
        var mounts = string.Join('\n', Overlaid.Select((dir, i) =>
        {
            var upper = Path.Combine(scratch, $"upper{i}");
            var work = Path.Combine(scratch, $"work{i}");
            Directory.CreateDirectory(upper);
            Directory.CreateDirectory(work);
            return $"mount -t overlay overlay -o lowerdir={dir},upperdir={upper},workdir={work} {dir}";
        }));
        var script = $"""
            set -e
            {mounts}
            mount -t tmpfs -o mode=0755 tmpfs /run
            # What a booted machine with OpenSSH has in /run (the ssh unit's RuntimeDirectory).
            mkdir -m 0755 /run/sshd
            install -m 0755 {tools}/systemctl /usr/local/sbin/systemctl
            install -m 0755 {tools}/journalctl /usr/local/sbin/journalctl
            install -m 0755 {tools}/scp /usr/local/sbin/scp
            echo "machine ready $$"
            exec sleep infinity
            """;
        var holder = NodeProcess.Start("unshare", ["--mount", "--propagation", "private", "--", "/bin/bash", "-c", script],
            launcher: NetnsTestBed.LauncherFor(ns));
        try
        {
            var ready = await holder.WaitForOutput(ReadyLine(), Started);
            return new EmulatedMachine(name, ns, scratch, holder, int.Parse(ready.Groups[1].Value, CultureInfo.InvariantCulture));
        }
        catch
        {
            await holder.DisposeAsync();
            Directory.Delete(scratch, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="script"/> on the machine as root with bash (<c>set -euo pipefail</c>), in
    /// <see cref="Home"/>, with <paramref name="environment"/> added, bounded by <paramref name="timeout"/>.
    /// </summary>
    public Task<CliRun> Run(string script, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var variables = new Dictionary<string, string?>
        {
            ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["HOME"] = Home,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            variables[key] = value;
        return ProcessRunner.Run(["nsenter", $"--target={Pid}", "--mount", "--net", "--", "/bin/bash", "-c",
            $"set -euo pipefail\ncd \"$HOME\"\n{script}"], timeout ?? TimeSpan.FromMinutes(3), environment: variables);
    }

    /// <summary>
    /// Takes the accounts and groups whose names start with <paramref name="prefix"/> out of the machine's
    /// /etc (its overlay; the host keeps them): a fresh machine has none of the accounts other specs made on
    /// this host, whose processes would also make usermod refuse to touch them.
    /// </summary>
    public async Task ForgetAccounts(string prefix)
    {
        var run = await Run($"sed -i '/^{prefix}/d' /etc/passwd /etc/shadow /etc/group /etc/gshadow");
        if (!run.Succeeded)
            throw new InvalidOperationException($"{this}: could not forget the {prefix}* accounts: {run}");
    }

    /// <summary>Where <paramref name="path"/> on the machine is seen from this host (through the holder's root).</summary>
    public string HostPath(string path) => $"/proc/{Pid}/root{(Path.IsPathRooted(path) ? path : Path.Combine(Home, path))}";

    /// <summary>Copies a file from this machine to <paramref name="to"/> on <paramref name="target"/> (what scp would), owner-only.</summary>
    public async Task CopyTo(string path, EmulatedMachine target, string to)
    {
        var bytes = await File.ReadAllBytesAsync(HostPath(path));
        var destination = target.HostPath(to);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        await File.WriteAllBytesAsync(destination, bytes);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(destination, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>Stops every unit its systemctl started and its sshd, then the holder; removes the overlays' files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            if (!_holder.HasExited)
            {
                var state = HostPath("/run/emulated-systemd");
                var units = Directory.Exists(state) ? Directory.GetFiles(state, "*.pid").Select(f => Path.GetFileName(f)[..^".pid".Length]).ToList() : [];
                foreach (var unit in units)
                    await Run($"systemctl stop {unit}", timeout: TimeSpan.FromSeconds(40));
                // What survived a stop (or was started around systemctl) dies with its id, read from the machine.
                foreach (var file in new[] { HostPath("/run/sshd.pid") }.Concat(Directory.Exists(state) ? Directory.GetFiles(state, "*.pid") : []))
                    if (File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out var pid))
                        Native.kill(pid, Native.SigKill);
            }
        }
        finally
        {
            await _holder.DisposeAsync();
            Directory.Delete(_scratch, recursive: true);
        }
    }

    public override string ToString() => $"machine {Name} in {Namespace}";

    [GeneratedRegex(@"machine ready (\d+)")]
    private static partial Regex ReadyLine();
}
