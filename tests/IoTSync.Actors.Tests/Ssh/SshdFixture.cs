using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using IoTSync.Mirror.Ssh;
using IoTSync.TestBed;
using Xunit;

namespace IoTSync.Tests.Ssh;

/// <summary>
/// A real OpenSSH server on 127.0.0.1 at a free high port, started as a child process in a temp
/// directory of its own: a generated ed25519 host key, a generated client key in authorized_keys
/// restricted to a forced command and to 127.0.0.1, key authentication only. Disposing kills the
/// server with its sessions and deletes the directory. With <see cref="SshdOptions.ForDevice"/> it
/// runs inside a device's network namespace of a <see cref="NetnsTestBed"/> instead, on the
/// device's address at port 22, admitting the key only from the mirror's address.
/// </summary>
public sealed class SshdFixture : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly StringBuilder _log;

    private SshdFixture(string directory, SshdOptions options, int port, Process process, StringBuilder log, HostKeyFingerprint hostKey, string accountShell)
    {
        AccountShell = accountShell;
        Directory = directory;
        Address = options.ListenAddress;
        NetworkNamespace = options.NetworkNamespace;
        Port = port;
        _process = process;
        _log = log;
        HostKey = hostKey;
    }

    /// <summary>The temp directory holding keys, config, log and whatever the forced command writes.</summary>
    public string Directory { get; }

    /// <summary>The address it listens on (127.0.0.1 unless in a namespace).</summary>
    public IPAddress Address { get; }

    /// <summary>The network namespace it runs in, or null for the test's own.</summary>
    public string? NetworkNamespace { get; }

    public int Port { get; }

    /// <summary>The user the server admits: whoever runs the tests (root in CI).</summary>
    public static string User => Environment.UserName;

    /// <summary>The client key listed in authorized_keys.</summary>
    public string ClientKeyPath => PathOf("client_key");

    /// <summary>The host key's fingerprint as <c>ssh-keygen -lf hostkey.pub -E sha256</c> prints it.</summary>
    public HostKeyFingerprint HostKey { get; }

    public int ProcessId => _process.Id;

    /// <summary>The shell sshd runs the forced command with (<c>$SHELL -c COMMAND</c>).</summary>
    public string AccountShell { get; }

    /// <summary>What sshd has written to stderr so far (LogLevel DEBUG1).</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Settings that reach this server with the authorised client key and the true host key.</summary>
    public SshTransportSettings Settings() =>
        new SshTransportSettings(Address.ToString(), Port, User, ClientKeyPath, HostKey) with { ConnectTimeout = TimeSpan.FromSeconds(10) };

    /// <summary>Why these tests cannot run here, or null when they can.</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux())
            return "the sshd fixture runs on Linux only";
        if (SshdPath() is null)
            return "sshd not found on PATH or in /usr/sbin (./iotsync test installs openssh-server)";
        if (FindOnPath("ssh-keygen") is null)
            return "ssh-keygen not found on PATH (./iotsync test installs openssh-client)";
        try
        {
            // sshd refuses to start without its privilege-separation directory.
            System.IO.Directory.CreateDirectory("/run/sshd");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"/run/sshd is missing and cannot be created ({e.Message})";
        }
        return null;
    }

    /// <summary>Reports the test skipped, with the reason, when sshd cannot run here.</summary>
    public static void SkipUnlessAvailable()
    {
        var reason = Unavailable();
        Skip.If(reason is not null, reason);
    }

    /// <summary>
    /// Starts a server whose authorized_keys forces <paramref name="forcedCommand"/> (given the
    /// fixture's directory).
    /// </summary>
    public static async Task<SshdFixture> Start(Func<string, string> forcedCommand, SshdOptions? options = null)
    {
        options ??= new SshdOptions();
        var directory = System.IO.Directory.CreateTempSubdirectory("iotsync-sshd-").FullName;
        try
        {
            await Keygen(Path.Combine(directory, "host_key"), "iotsync-test-host");
            await Keygen(Path.Combine(directory, "client_key"), "iotsync-test-mirror");
            var hostKey = await Fingerprint(Path.Combine(directory, "host_key.pub"));
            var clientPublic = (await File.ReadAllTextAsync(Path.Combine(directory, "client_key.pub"))).Trim();
            var command = forcedCommand(directory).Replace("\"", "\\\"", StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(directory, "authorized_keys"),
                $"restrict,from=\"{options.AllowedFrom}\",command=\"{command}\" {clientPublic}\n");
            var passwd = options.AccountShell is { } shell ? await PasswdWithShell(directory, shell) : null;
            for (var attempt = 1; ; attempt++)
            {
                // A namespace of the bed is the device's own: nothing else listens there.
                var port = options.Port ?? (options.NetworkNamespace is null ? FreePort() : 22);
                var config = Path.Combine(directory, "sshd_config");
                await File.WriteAllTextAsync(config, Config(directory, options.ListenAddress, port, options.ExtraConfig));
                var (process, log) = Launch(config, passwd, options.NetworkNamespace);
                var fixture = new SshdFixture(directory, options, port, process, log, hostKey, passwd is null ? AccountShellOf(User) : options.AccountShell!);
                try
                {
                    await fixture.WaitUntilListening();
                    return fixture;
                }
                catch (PortTakenException) when (attempt < 3)
                {
                    fixture.Kill();
                }
                catch (InvalidOperationException) when (passwd is not null && attempt < 3
                                                        && (fixture.Log.Contains("unshare:", StringComparison.Ordinal) || fixture.Log.Contains("mount:", StringComparison.Ordinal)))
                {
                    // No mount namespace here (a container without the capability): the account's own shell it is.
                    fixture.Kill();
                    passwd = null;
                }
                catch
                {
                    fixture.Kill();
                    throw;
                }
            }
        }
        catch
        {
            DeleteQuietly(directory);
            throw;
        }
    }

    /// <summary>Generates an ed25519 key pair in the fixture's directory (not authorised) and returns the private key's path.</summary>
    public async Task<string> NewKey(string name)
    {
        var path = PathOf(name);
        await Keygen(path, name);
        return path;
    }

    /// <summary>The fingerprint <c>ssh-keygen -lf FILE -E sha256</c> prints for a public key file.</summary>
    public static async Task<HostKeyFingerprint> Fingerprint(string publicKeyFile)
    {
        // "256 SHA256:base64 comment (ED25519)"
        var printed = await Run("ssh-keygen", "-lf", publicKeyFile, "-E", "sha256");
        return HostKeyFingerprint.Parse(printed.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    /// <summary>A keyword's value in the server's effective configuration (<c>sshd -T</c>), lower case.</summary>
    public async Task<string> EffectiveSetting(string keyword)
    {
        var effective = await Run(SshdPath()!, "-T", "-f", PathOf("sshd_config"));
        return effective.Split('\n').Select(line => line.Split(' ', 2))
            .Single(parts => parts[0] == keyword.ToLowerInvariant())[1].Trim();
    }

    /// <summary>The sshd processes serving connections now (children of the listener).</summary>
    public IReadOnlyList<int> SessionProcesses()
    {
        var children = $"/proc/{_process.Id}/task/{_process.Id}/children";
        return File.Exists(children)
            ? [.. File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)]
            : [];
    }

    /// <summary>Waits, bounded, until the log holds a line matching <paramref name="pattern"/>.</summary>
    public async Task<Match> WaitForLog(Regex pattern, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var match = pattern.Match(Log);
            if (match.Success)
                return match;
            if (deadline.Elapsed > (timeout ?? TimeSpan.FromSeconds(10)))
                throw new TimeoutException($"sshd never logged /{pattern}/; its log:\n{Log}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(exited.Token);
        }
        catch (OperationCanceledException)
        {
            // Killed with SIGKILL: it is going; the directory goes regardless.
        }
        _process.Dispose();
        DeleteQuietly(Directory);
    }

    private void Kill()
    {
        try
        {
            // The whole tree: the listener, its per-connection sshd processes and their commands.
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private async Task WaitUntilListening()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                if (Log.Contains("Address already in use", StringComparison.Ordinal))
                    throw new PortTakenException();
                throw new InvalidOperationException($"sshd exited with {_process.ExitCode} before listening; its log:\n{Log}");
            }
            if (NetworkNamespace is not null)
            {
                if (await NetnsTestBed.CanConnect(NetworkNamespace, Address, Port, TimeSpan.FromSeconds(1)))
                    return;
            }
            else
            {
                using var probe = new TcpClient();
                try
                {
                    await probe.ConnectAsync(Address, Port);
                    return;
                }
                catch (SocketException)
                {
                    // Not listening yet.
                }
            }
            if (deadline.Elapsed > StartTimeout)
                throw new TimeoutException($"sshd did not listen on {Address}:{Port}{(NetworkNamespace is null ? "" : $" in {NetworkNamespace}")} within {StartTimeout}; its log:\n{Log}");
            await Task.Delay(20);
        }
    }

    private static string Config(string directory, IPAddress address, int port, string[] extraConfig) =>
        string.Join('\n', extraConfig.Concat(
        [
            $"ListenAddress {address}:{port}",
            $"HostKey {Path.Combine(directory, "host_key")}",
            $"PidFile {Path.Combine(directory, "sshd.pid")}",
            $"AuthorizedKeysFile {Path.Combine(directory, "authorized_keys")}",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PubkeyAuthentication yes",
            "PermitUserEnvironment no",
            "PermitRootLogin prohibit-password",
            "StrictModes no",
            "UsePAM no",
            "LogLevel DEBUG1",
        ])) + "\n";

    private static (Process, StringBuilder) Launch(string config, string? passwd, string? networkNamespace)
    {
        var log = new StringBuilder();
        // With a passwd copy, sshd runs in a mount namespace of its own where that copy is /etc/passwd;
        // in a network namespace, under ip netns exec. Each execs in turn, so the process started is sshd itself.
        string[] argv = passwd is null
            ? [SshdPath()!, "-D", "-e", "-f", config]
            : [FindOnPath("unshare")!, "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                "mount --bind \"$1\" /etc/passwd && exec \"$2\" -D -e -f \"$3\"", "sh", passwd, SshdPath()!, config];
        if (networkNamespace is not null)
            argv = [Tool.Ip ?? "ip", "netns", "exec", networkNamespace, .. argv];
        var start = new ProcessStartInfo(argv[0], argv[1..]);
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        var process = new Process { StartInfo = start };
        void Append(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null)
                return;
            lock (log)
                log.AppendLine(e.Data);
        }
        process.ErrorDataReceived += Append;
        process.OutputDataReceived += Append;
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return (process, log);
    }

    /// <summary>
    /// A copy of /etc/passwd giving the test user <paramref name="shell"/>, or null where sshd cannot
    /// be started with it (not root, or no unshare): then the account's own shell runs the command.
    /// </summary>
    private static async Task<string?> PasswdWithShell(string directory, string shell)
    {
        if (Environment.UserName != "root" || FindOnPath("unshare") is null || FindOnPath("mount") is null)
            return null;
        var lines = await File.ReadAllLinesAsync("/etc/passwd");
        var changed = lines.Select(line => line.Split(':') is { Length: 7 } f && f[0] == User
            ? string.Join(':', f[..6].Append(shell))
            : line).ToArray();
        var path = Path.Combine(directory, "passwd");
        await File.WriteAllLinesAsync(path, changed);
        return path;
    }

    private static string AccountShellOf(string user) =>
        File.ReadLines("/etc/passwd").Select(line => line.Split(':')).FirstOrDefault(f => f.Length == 7 && f[0] == user)?[6] ?? "?";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task Keygen(string path, string comment) =>
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path);

    /// <summary>Runs a tool with a bounded wait and returns its stdout; a failure carries its stderr.</summary>
    private static async Task<string> Run(string tool, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"could not start {tool}");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(ToolTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', arguments)} did not finish within {ToolTimeout}");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}");
        return await output;
    }

    private static string? SshdPath() =>
        FindOnPath("sshd") ?? new[] { "/usr/sbin/sshd", "/sbin/sshd" }.FirstOrDefault(File.Exists);

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);

    private static void DeleteQuietly(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp directory is harmless; the test's own outcome matters more.
        }
    }

    private sealed class PortTakenException : Exception;
}

/// <summary>How an <see cref="SshdFixture"/> differs from the default server.</summary>
public sealed record SshdOptions
{
    /// <summary>
    /// The server a device of <paramref name="bed"/> runs: inside its namespace, on its address
    /// at port 22, the key admitted only from the mirror's address.
    /// </summary>
    public static SshdOptions ForDevice(NetnsTestBed bed, TestBedDevice device) => new()
    {
        NetworkNamespace = device.Namespace,
        ListenAddress = device.Address,
        AllowedFrom = bed.MirrorAddress.ToString(),
    };

    /// <summary>A network namespace (a name under /run/netns) to run sshd in; null for the test's own.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>The address sshd listens on.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The port; null for a free one on loopback, or 22 inside a namespace.</summary>
    public int? Port { get; init; }

    /// <summary>The <c>from=</c> pattern of the client key's authorized_keys line.</summary>
    public string AllowedFrom { get; init; } = "127.0.0.1";

    /// <summary>sshd_config lines placed before the defaults, so they win (sshd keeps a keyword's first value).</summary>
    public string[] ExtraConfig { get; init; } = [];

    /// <summary>
    /// The shell sshd runs the forced command with, as a device's dedicated sync account would have
    /// it; null keeps the test user's own. The default /bin/sh keeps the user's bash start-up files
    /// (which bash reads even for <c>bash -c</c> when started by sshd) out of every session.
    /// </summary>
    public string? AccountShell { get; init; } = "/bin/sh";
}
