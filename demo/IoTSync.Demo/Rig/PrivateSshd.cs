using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace IoTSync.Demo.Rig;

/// <summary>
/// The device's own OpenSSH server for one run: a generated ed25519 host key, its own
/// sshd_config and authorized_keys in <see cref="Directory"/>, listening on 127.0.0.1 at a free
/// high port (or on a given address and port, started through a <see cref="Launcher"/>: inside a
/// device's network namespace), key authentication only. The mirror's authorized_keys line is
/// written by the caller.
/// </summary>
public sealed partial class PrivateSshd : IAsyncDisposable
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(30);
    private readonly NodeProcess _process;

    private PrivateSshd(string directory, string address, int port, string fingerprint, NodeProcess process)
    {
        Directory = directory;
        Address = address;
        Port = port;
        HostKeyFingerprint = fingerprint;
        _process = process;
    }

    public string Directory { get; }

    /// <summary>The address it listens on: 127.0.0.1, or the device's address in the test bed.</summary>
    public string Address { get; }

    public int Port { get; }

    /// <summary>As <c>ssh-keygen -lf host_key.pub -E sha256</c> prints it: what the mirror pins at enrolment.</summary>
    public string HostKeyFingerprint { get; }

    public string AuthorizedKeysFile => Path.Combine(Directory, "authorized_keys");

    public string Log => _process.Output;

    /// <summary>The sshd binary: on PATH or in the sbin directories a non-root PATH lacks; null when not installed.</summary>
    public static string? SshdPath() =>
        new[] { "/usr/sbin/sshd", "/usr/local/sbin/sshd", "/sbin/sshd" }.FirstOrDefault(File.Exists)
        ?? (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "sshd")).FirstOrDefault(File.Exists);

    /// <summary>
    /// Starts sshd on <paramref name="address"/> (127.0.0.1 by default) at <paramref name="port"/>
    /// (a free port when null: only meaningful in this process's network namespace).
    /// </summary>
    public static async Task<PrivateSshd> Start(string directory, string address = "127.0.0.1", int? port = null, Launcher? launcher = null)
    {
        var sshd = SshdPath() ?? throw new InvalidOperationException("sshd is not installed (apt-get install openssh-server)");
        System.IO.Directory.CreateDirectory(directory);
        // sshd refuses to start without its privilege-separation directory.
        System.IO.Directory.CreateDirectory("/run/sshd");
        var hostKey = Path.Combine(directory, "host_key");
        if (!File.Exists(hostKey))
            (await NodeProcess.Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "iotsync-demo-device", "-f", hostKey], ToolTimeout)).EnsureSuccess("ssh-keygen");
        var printed = (await NodeProcess.Run("ssh-keygen", ["-lf", hostKey + ".pub", "-E", "sha256"], ToolTimeout)).EnsureSuccess("ssh-keygen -lf").Output;
        var fingerprint = printed.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        if (!File.Exists(Path.Combine(directory, "authorized_keys")))
            await File.WriteAllTextAsync(Path.Combine(directory, "authorized_keys"), "");
        for (var attempt = 1; ; attempt++)
        {
            var listenPort = port ?? FreePort();
            var config = Path.Combine(directory, "sshd_config");
            await File.WriteAllTextAsync(config, $"""
                # The demo device's private sshd: one address, keys only, this run's files only.
                Port {listenPort}
                ListenAddress {address}
                HostKey {hostKey}
                AuthorizedKeysFile {Path.Combine(directory, "authorized_keys")}
                PidFile none
                StrictModes no
                UsePAM no
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PubkeyAuthentication yes
                PermitRootLogin prohibit-password
                LogLevel VERBOSE

                """);
            var passwd = await PasswdWithPlainShell(directory);
            var process = passwd is null
                ? NodeProcess.Start(sshd, ["-D", "-e", "-f", config], Path.Combine(directory, "sshd.log"), launcher: launcher)
                : NodeProcess.Start("unshare", ["--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                    "mount --bind \"$1\" /etc/passwd && exec \"$2\" -D -e -f \"$3\"", "sh", passwd, sshd, config], Path.Combine(directory, "sshd.log"),
                    launcher: launcher);
            try
            {
                await process.WaitForOutput(new Regex($"Server listening on {Regex.Escape(address)} port {listenPort}"), TimeSpan.FromSeconds(15));
                return new PrivateSshd(directory, address, listenPort, fingerprint, process);
            }
            catch (Exception) when (port is null && attempt < 3 && process.Output.Contains("Address already in use", StringComparison.Ordinal))
            {
                await process.DisposeAsync();
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>
    /// sshd runs a forced command with the account's shell, and bash started by sshd reads
    /// ~/.bashrc — a second and more on a developer's root account. A device's sync account has a
    /// plain /bin/sh; as root, the demo gives sshd (alone, in a private mount namespace) a passwd
    /// where this account's shell is /bin/sh. Null when that cannot be done here.
    /// </summary>
    private static async Task<string?> PasswdWithPlainShell(string directory)
    {
        if (Environment.UserName != "root" || !File.Exists("/usr/bin/unshare") || !File.Exists("/bin/sh"))
            return null;
        var lines = await File.ReadAllLinesAsync("/etc/passwd");
        var changed = lines.Select(line => line.Split(':') is { Length: 7 } fields && fields[0] == "root"
            ? string.Join(':', fields[..6].Append("/bin/sh"))
            : line);
        var path = Path.Combine(directory, "passwd");
        await File.WriteAllLinesAsync(path, changed);
        return path;
    }

    /// <summary>A TCP port free on loopback now (the kernel picks it; a race with another process is retried by the caller).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
