using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using IoTSync.Mirror.Ssh;
using IoTSync.Testing.Processes;
using IoTSync.Testing.Rig;

namespace IoTSync.Testing.Ssh;

/// <summary>
/// A real OpenSSH server for one run, as a child process: a generated ed25519 host key, its own
/// sshd_config and authorized_keys in <see cref="Directory"/>, key authentication only, listening
/// on 127.0.0.1 at a free high port — or, through a <see cref="Launcher"/>, on a device's address
/// inside its network namespace of the test bed. With <see cref="SshdOptions.ForcedCommand"/> it
/// also generates a client key authorised for that command; otherwise the caller writes
/// authorized_keys (the demo's mirror enrolment does). Disposing kills the server with its sessions
/// and deletes a temp directory. The demo, the rig, the test bed and the SSH specs all use this one.
/// </summary>
public sealed class PrivateSshd : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(30);
    private readonly NodeProcess _process;
    private readonly bool _ownsDirectory;

    private PrivateSshd(string directory, bool ownsDirectory, IPAddress address, int port, HostKeyFingerprint hostKey, string accountShell, NodeProcess process)
    {
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        Address = address;
        Port = port;
        HostKey = hostKey;
        AccountShell = accountShell;
        _process = process;
    }

    /// <summary>The directory holding keys, config, log and whatever the forced command writes.</summary>
    public string Directory { get; }

    /// <summary>The address it listens on: 127.0.0.1, or the device's address in the test bed.</summary>
    public IPAddress Address { get; }

    public int Port { get; }

    /// <summary>The user the server admits: whoever runs the tests (root in CI).</summary>
    public static string User => Environment.UserName;

    /// <summary>The device's sshd drop-in's file name.</summary>
    public const string DeviceDropIn = "iotsync-device.conf";

    /// <summary>The mirror host's sshd drop-in's file name (reverse mode).</summary>
    public const string MirrorDropIn = "iotsync-mirror.conf";

    /// <summary>The device's sshd drop-in the project ships (deploy/sshd/iotsync-device.conf), as copied beside the test support.</summary>
    public static string ShippedDropInFile => ShippedDropInFileOf(DeviceDropIn);

    /// <summary>A drop-in the project ships under deploy/sshd/, as copied beside the test support.</summary>
    public static string ShippedDropInFileOf(string name) => Path.Combine(AppContext.BaseDirectory, "deploy", "sshd", name);

    /// <summary>The shipped drop-in with <paramref name="syncUser"/> as its sync account, as an installer writes it.</summary>
    public static string ShippedDropIn(string syncUser, string name = DeviceDropIn) =>
        File.Exists(ShippedDropInFileOf(name))
            ? File.ReadAllText(ShippedDropInFileOf(name)).Replace("@SYNC_USER@", syncUser, StringComparison.Ordinal)
            : throw new FileNotFoundException($"the shipped sshd drop-in is not beside the test support: {ShippedDropInFileOf(name)}");

    /// <summary>The host key's fingerprint as <c>ssh-keygen -lf host_key.pub -E sha256</c> prints it: what the mirror pins at enrolment.</summary>
    public HostKeyFingerprint HostKey { get; }

    /// <summary>The client key authorised for the forced command (exists only with <see cref="SshdOptions.ForcedCommand"/>).</summary>
    public string ClientKeyPath => PathOf("client_key");

    public string AuthorizedKeysFile => PathOf("authorized_keys");

    public int ProcessId => _process.Id;

    /// <summary>The shell sshd runs the forced command with (<c>$SHELL -c COMMAND</c>).</summary>
    public string AccountShell { get; }

    /// <summary>What sshd has written so far (also appended to sshd.log in <see cref="Directory"/>).</summary>
    public string Log => _process.Output;

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Settings that reach this server with the authorised client key and the true host key.</summary>
    public SshTransportSettings Settings() =>
        new SshTransportSettings(Address.ToString(), Port, User, ClientKeyPath, HostKey) with { ConnectTimeout = TimeSpan.FromSeconds(10) };

    /// <summary>The sshd binary: on PATH or in the sbin directories a non-root PATH lacks; null when not installed.</summary>
    public static string? SshdPath() => ProcessRunner.Find("sshd");

    /// <summary>Why sshd cannot run here, or null when it can.</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux())
            return "the private sshd runs on Linux only";
        if (SshdPath() is null)
            return "sshd not found on PATH or in /usr/sbin (./iotsync test installs openssh-server)";
        if (ProcessRunner.Find("ssh-keygen") is null)
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

    /// <summary>Starts a server whose authorized_keys forces <paramref name="forcedCommand"/> (given the server's directory) for a generated client key.</summary>
    public static Task<PrivateSshd> Start(Func<string, string> forcedCommand, SshdOptions? options = null) =>
        Start((options ?? new SshdOptions()) with { ForcedCommand = forcedCommand });

    /// <summary>Starts a server as <paramref name="options"/> say.</summary>
    public static async Task<PrivateSshd> Start(SshdOptions options)
    {
        var sshd = SshdPath() ?? throw new InvalidOperationException("sshd is not installed (apt-get install openssh-server)");
        var directory = options.Directory ?? System.IO.Directory.CreateTempSubdirectory("iotsync-sshd-").FullName;
        try
        {
            System.IO.Directory.CreateDirectory(directory);
            // sshd refuses to start without its privilege-separation directory.
            System.IO.Directory.CreateDirectory("/run/sshd");
            var hostKeyFile = Path.Combine(directory, "host_key");
            if (!File.Exists(hostKeyFile))
                await Keygen(hostKeyFile, "iotsync-test-host");
            var hostKey = await Fingerprint(hostKeyFile + ".pub");
            var authorizedKeys = Path.Combine(directory, "authorized_keys");
            if (options.ForcedCommand is { } forced)
            {
                await Keygen(Path.Combine(directory, "client_key"), "iotsync-test-mirror");
                var clientPublic = (await File.ReadAllTextAsync(Path.Combine(directory, "client_key.pub"))).Trim();
                var command = forced(directory).Replace("\"", "\\\"", StringComparison.Ordinal);
                await File.WriteAllTextAsync(authorizedKeys, $"restrict,from=\"{options.AllowedFrom}\",command=\"{command}\" {clientPublic}\n");
            }
            else if (!File.Exists(authorizedKeys))
            {
                await File.WriteAllTextAsync(authorizedKeys, "");
            }
            var passwd = options.AccountShell is { } shell ? await PasswdWithShell(directory, shell) : null;
            for (var attempt = 1; ; attempt++)
            {
                // A namespace of the bed is the device's own: nothing else listens there.
                var port = options.Port ?? (options.Launcher.Prefix.IsDefaultOrEmpty ? FreePort() : 22);
                var config = Path.Combine(directory, "sshd_config");
                // Included, not inlined: a drop-in's Match block ends with its file, as under /etc/ssh/sshd_config.d/.
                if (options.ShippedDropIn)
                    await File.WriteAllTextAsync(Path.Combine(directory, options.DropIn), ShippedDropIn(options.SyncUser ?? User, options.DropIn));
                await File.WriteAllTextAsync(config, Config(directory, options, port));
                // With a passwd copy, sshd runs in a mount namespace of its own where that copy is
                // /etc/passwd. unshare and sh exec in turn, so the process started is sshd itself.
                var process = passwd is null
                    ? NodeProcess.Start(sshd, ["-D", "-e", "-f", config], Path.Combine(directory, "sshd.log"), launcher: options.Launcher)
                    : NodeProcess.Start(ProcessRunner.Find("unshare")!, ["--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                        "mount --bind \"$1\" /etc/passwd && exec \"$2\" -D -e -f \"$3\"", "sh", passwd, sshd, config], Path.Combine(directory, "sshd.log"),
                        launcher: options.Launcher);
                try
                {
                    await process.WaitForOutput(new Regex($"Server listening on {Regex.Escape(options.ListenAddress.ToString())} port {port}"), StartTimeout);
                    return new PrivateSshd(directory, options.Directory is null, options.ListenAddress, port, hostKey,
                        passwd is null ? AccountShellOf(User) : options.AccountShell!, process);
                }
                catch (Exception) when (options.Port is null && attempt < 3 && process.Output.Contains("Address already in use", StringComparison.Ordinal))
                {
                    await process.DisposeAsync();
                }
                catch (InvalidOperationException) when (passwd is not null && attempt < 3
                                                        && (process.Output.Contains("unshare:", StringComparison.Ordinal) || process.Output.Contains("mount:", StringComparison.Ordinal)))
                {
                    // No mount namespace here (a container without the capability): the account's own shell it is.
                    await process.DisposeAsync();
                    passwd = null;
                }
                catch
                {
                    await process.DisposeAsync();
                    throw;
                }
            }
        }
        catch
        {
            if (options.Directory is null)
                DeleteQuietly(directory);
            throw;
        }
    }

    /// <summary>Generates an ed25519 key pair in the server's directory (not authorised) and returns the private key's path.</summary>
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
        var printed = (await ProcessRunner.Run(["ssh-keygen", "-lf", publicKeyFile, "-E", "sha256"], ToolTimeout)).EnsureSuccess().Stdout;
        return HostKeyFingerprint.Parse(printed.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    /// <summary>A keyword's value in the server's effective configuration (<c>sshd -T</c>), lower case.</summary>
    public async Task<string> EffectiveSetting(string keyword, string? forUser = null)
    {
        // With a user, the settings a connection of that user gets (its Match blocks applied).
        string[] connection = forUser is null ? [] : ["-C", $"user={forUser},host=device.example,addr=192.0.2.7"];
        var effective = (await ProcessRunner.Run([SshdPath()!, "-T", "-f", PathOf("sshd_config"), .. connection], ToolTimeout)).EnsureSuccess().Stdout;
        return effective.Split('\n').Select(line => line.Split(' ', 2))
            .Single(parts => parts[0] == keyword.ToLowerInvariant())[1].Trim();
    }

    /// <summary>The sshd processes serving connections now (children of the listener).</summary>
    public IReadOnlyList<int> SessionProcesses()
    {
        var children = $"/proc/{ProcessId}/task/{ProcessId}/children";
        return File.Exists(children)
            ? [.. File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)]
            : [];
    }

    /// <summary>Waits, bounded, until the log holds a line matching <paramref name="pattern"/>.</summary>
    public Task<Match> WaitForLog(Regex pattern, TimeSpan? timeout = null) =>
        _process.WaitForOutput(pattern, timeout ?? TimeSpan.FromSeconds(10));

    /// <summary>A TCP port free on loopback now (the kernel picks it; a race with another process is retried by the caller).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        // The whole tree: the listener, its per-connection sshd processes and their commands.
        await _process.DisposeAsync();
        if (_ownsDirectory)
            DeleteQuietly(Directory);
    }

    private static string Config(string directory, SshdOptions options, int port) =>
        string.Join('\n', options.ExtraConfig.Concat(options.ShippedDropIn ? [$"Include {Path.Combine(directory, options.DropIn)}"] : []).Concat(
        [
            "# A private sshd for one run: one address, keys only, this run's files only.",
            $"ListenAddress {options.ListenAddress}:{port}",
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
            $"LogLevel {options.LogLevel}",
        ])) + "\n";

    /// <summary>
    /// sshd runs a forced command with the account's shell, and bash started by sshd reads
    /// ~/.bashrc. A device's sync account has a plain shell; as root, sshd is given (alone, in a
    /// private mount namespace) a passwd copy where this account's shell is <paramref name="shell"/>.
    /// Null where that cannot be done (not root, or no unshare): then the account's own shell runs the command.
    /// </summary>
    private static async Task<string?> PasswdWithShell(string directory, string shell)
    {
        if (Environment.UserName != "root" || ProcessRunner.Find("unshare") is null || ProcessRunner.Find("mount") is null)
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

    private static async Task Keygen(string path, string comment) =>
        (await ProcessRunner.Run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path], ToolTimeout)).EnsureSuccess();

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
}
